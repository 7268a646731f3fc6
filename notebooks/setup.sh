#!/usr/bin/env bash
# Installs what notebooks/run.sh needs, skipping whatever is already in place:
#   - Jupyter's headless executor (Debian packages: nbconvert, nbclient, ipykernel, ...)
#   - GoNB v0.11.4, the Go kernel, built through a scratch module (a plain
#     'go install' of it fails: its go.mod has replace directives)
#   - goimports and gopls v0.23.0 (newer gopls needs a newer Go), which GoNB calls
#   - the GoNB kernel spec, pointing at that binary
# Go binaries go to $(go env GOPATH)/bin; run.sh puts that directory on PATH.
set -euo pipefail

GONB_VERSION=v0.11.4
GOPLS_VERSION=v0.23.0
GOIMPORTS_VERSION=v0.52.0 # golang.org/x/tools

command -v go >/dev/null || { echo "setup.sh: Go is not on PATH; install Go 1.26 first" >&2; exit 1; }
GOBIN="$(go env GOPATH)/bin"
mkdir -p "$GOBIN"
export PATH="$GOBIN:$PATH"

say() { echo "notebooks/setup.sh: $*"; }

# Jupyter, from Debian packages (their modules live in the system Python, which
# may not be the first python3 on PATH).
if ! command -v jupyter >/dev/null || ! /usr/bin/python3 -c 'import nbconvert, nbclient, ipykernel, jupyter_client' 2>/dev/null; then
	say "installing Jupyter (Debian packages)"
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install Debian packages" >&2; exit 1; }
		sudo=sudo
	fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		jupyter-nbconvert jupyter-core python3-nbclient jupyter-client python3-ipykernel >/dev/null
fi

# GoNB, pinned.
if ! go version -m "$GOBIN/gonb" 2>/dev/null | grep -Eq "github.com/janpfeifer/gonb[[:space:]]+$GONB_VERSION"; then
	say "building GoNB $GONB_VERSION"
	scratch="$(mktemp -d)"
	trap 'rm -rf "$scratch"' EXIT
	(
		cd "$scratch"
		go mod init gonb-build >/dev/null 2>&1
		go get -tool "github.com/janpfeifer/gonb@$GONB_VERSION" >/dev/null 2>&1
		go build -o "$GOBIN/gonb" github.com/janpfeifer/gonb
	)
fi

# goimports and gopls, pinned.
installed() { go version -m "$GOBIN/$1" 2>/dev/null | grep -Eq "$2[[:space:]]+$3"; }
if ! installed goimports golang.org/x/tools "$GOIMPORTS_VERSION"; then
	say "installing goimports $GOIMPORTS_VERSION"
	go install "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION"
fi
if ! installed gopls golang.org/x/tools/gopls "$GOPLS_VERSION"; then
	say "installing gopls $GOPLS_VERSION"
	go install "golang.org/x/tools/gopls@$GOPLS_VERSION"
fi

# The kernel spec, pointing at this GoNB.
spec="$(jupyter kernelspec list 2>/dev/null | awk '$1 == "gonb" {print $2}')"
if [ -z "$spec" ] || ! grep -q "\"$GOBIN/gonb\"" "$spec/kernel.json"; then
	say "registering the GoNB kernel"
	"$GOBIN/gonb" --install >/dev/null 2>&1
fi
say "ready: $(jupyter nbconvert --version 2>/dev/null | head -1 | sed 's/^/nbconvert /'), GoNB $GONB_VERSION, gopls $GOPLS_VERSION"
