#!/bin/bash
# deps.sh - installs the Debian packages fwtftpd needs to build and to test.
#
#   bash tests/deps.sh build   build dependencies only
#   bash tests/deps.sh run     build dependencies and mkimage (make run)
#   bash tests/deps.sh         build plus test dependencies
#
# Installs only what dpkg reports missing and says nothing when nothing is.
# It must never start a service while installing (xinetd would grab port 69
# on the CI host) and never touch a policy-rc.d that someone else put there.
set -u

build_pkgs=(gcc make pkg-config libcap-dev libseccomp-dev nettle-dev libcmocka-dev)
# strace: 10_clients.sh counts atftp's ACKs to prove it really uses windows.
test_pkgs=(xinetd tftp-hpa atftp curl busybox u-boot-tools iproute2 valgrind procps strace clang libclang-rt-14-dev)

case "${1:-all}" in
build) want=("${build_pkgs[@]}") ;;
run) want=("${build_pkgs[@]}" u-boot-tools) ;; # make run: mkimage for the demo firmware
all) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
*)
	echo "usage: bash tests/deps.sh [build|run]" >&2
	exit 100
	;;
esac

missing=()
for p in "${want[@]}"; do
	# "install ok installed" is the only state in which the files are there;
	# half-installed or config-files count as missing.
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done

[ ${#missing[@]} -eq 0 ] && exit 0

install_cmd=(apt-get install -y -q --no-install-recommends "${missing[@]}")

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root:" >&2
	echo "  apt-get update && DEBIAN_FRONTEND=noninteractive ${install_cmd[*]}" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"

# A policy-rc.d that exits 101 tells invoke-rc.d not to start services.
# Only ours is removed afterwards; an existing one is left exactly as it is.
policy=${FWT_POLICY_RC_D:-/usr/sbin/policy-rc.d}  # overridable only to test this script
own_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# temporary, from fwtftpd tests/deps.sh\nexit 101\n' >"$policy" &&
		chmod 0755 "$policy" && own_policy=1
fi
cleanup() {
	[ "$own_policy" -eq 1 ] && rm -f "$policy"
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -q; then
	echo "deps.sh: apt-get update failed" >&2
	exit 1
fi
if ! "${install_cmd[@]}"; then
	echo "deps.sh: apt-get install failed" >&2
	exit 1
fi

# Re-check: a package that apt "installed" but dpkg does not list is an error.
still=()
for p in "${missing[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	[ "$st" = "install ok installed" ] || still+=("$p")
done
if [ ${#still[@]} -ne 0 ]; then
	echo "deps.sh: still missing after install: ${still[*]}" >&2
	exit 1
fi
exit 0
