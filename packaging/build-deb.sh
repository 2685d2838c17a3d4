#!/usr/bin/env bash
# Builds the Debian package of Tend: OUTDIR/tend_<version>_<arch>.deb, with dpkg-deb only (nothing is
# downloaded). Usage:
#   packaging/build-deb.sh OUTDIR                  # publishes the NativeAOT binary for this machine first
#   TEND_BIN=artifacts/tend-aot/tend packaging/build-deb.sh OUTDIR   # packages a binary already published
#   TEND_RID=linux-arm64 packaging/build-deb.sh OUTDIR               # cross-publishes for arm64 (see README)
# Prints the path of the package it wrote.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
here="$repo/packaging"
mkdir -p "$1"
outdir=$(cd "$1" && pwd)

rid=${TEND_RID:-}
if [ -z "$rid" ]; then
  case "$(dpkg --print-architecture)" in
    amd64) rid=linux-x64 ;;
    arm64) rid=linux-arm64 ;;
    *) echo "build-deb.sh: no NativeAOT runtime for $(dpkg --print-architecture); set TEND_RID" >&2; exit 2 ;;
  esac
fi
case "$rid" in
  linux-x64) arch=amd64 ;;
  linux-arm64) arch=arm64 ;;
  *) echo "build-deb.sh: TEND_RID=$rid is not packaged (linux-x64, linux-arm64)" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bin=${TEND_BIN:-}
if [ -z "$bin" ]; then
  echo "build-deb.sh: publishing the NativeAOT binary for $rid" >&2
  dotnet publish "$repo/src/Tend" -c Release -r "$rid" -o "$work/publish" -nologo -v:q -clp:ErrorsOnly >&2
  bin="$work/publish/tend"
fi
if [ ! -x "$bin" ]; then
  echo "build-deb.sh: $bin is not an executable tend binary" >&2
  exit 1
fi
# The binary must be the architecture the package says (a linux-x64 TEND_BIN in an arm64 package would not run).
machine=$(od -An -tu2 -j18 -N2 "$bin" | tr -d ' ')
case "$arch:$machine" in
  amd64:62 | arm64:183) ;;
  *) echo "build-deb.sh: $bin is not a $arch binary (ELF machine $machine)" >&2; exit 1 ;;
esac

# The version is the one the binary reports, so the package and `tend --version` never disagree.
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)
if [ "$arch" = "$(dpkg --print-architecture)" ]; then
  reported=$("$bin" --version | awk '{print $NF}' | cut -d+ -f1)
  if [ "$reported" != "$version" ]; then
    echo "build-deb.sh: $bin reports version $reported, the sources say $version: publish again" >&2
    exit 1
  fi
fi

root="$work/root"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/lib/tend/bin" "$root/etc/tend" \
  "$root/lib/systemd/system" "$root/usr/share/doc/tend/examples"
install -m 0755 "$bin" "$root/usr/bin/tend"
# The other tools' names, for the existing command lines Tend accepts (src/Tend/Program.cs): links in
# a directory of their own, so nothing clashes with a confd, consul-template or etcd-discovery already installed.
for name in confd reconfig etcd-discovery consul-template powerconsul; do
  ln -s ../../../bin/tend "$root/usr/lib/tend/bin/$name"
done
install -m 0644 "$here/tend.toml" "$root/etc/tend/tend.toml"
install -m 0644 "$here/tend.service" "$here/tend-membership.service" "$root/lib/systemd/system/"
install -m 0644 "$repo/README.md" "$root/usr/share/doc/tend/README.md"
cp -r "$repo/docs" "$root/usr/share/doc/tend/docs"
cp -r "$repo/examples/quickstart" "$root/usr/share/doc/tend/examples/quickstart"
rm -rf "$root/usr/share/doc/tend/examples/quickstart/out"
find "$root/usr/share/doc/tend" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
cat > "$root/usr/share/doc/tend/copyright" <<'TEXT'
Tend: see README.md for the project and its licence.
TEXT
chmod 0644 "$root/usr/share/doc/tend/copyright"

for script in postinst prerm postrm; do
  install -m 0755 "$here/debian/$script" "$root/DEBIAN/$script"
done
echo "/etc/tend/tend.toml" > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<TEXT
Package: tend
Version: $version
Architecture: $arch
Maintainer: Tend developers <tend@localhost>
Installed-Size: $size
Depends: libc6, libssl3 | libssl3t64
Recommends: systemd
Section: admin
Priority: optional
Description: keep hosts converged with a discovery store
 Tend renders configuration files from etcd, ZooKeeper, Consul or local files
 (confd, consul-template, reconfig), runs hooks with a Nagios inventory,
 keeps health-checked registrations (zk_watcher), runs active/standby health
 checks with triggers (powerconsul) and reconciles etcd membership
 (etcd-discovery). One native binary, one configuration file.
TEXT

deb="$outdir/tend_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
