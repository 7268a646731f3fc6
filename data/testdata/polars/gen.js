const pl = require("nodejs-polars");
const n = 500;
const t0 = Date.UTC(2024, 0, 1);
let price = 100, o=[],h=[],l=[],c=[],v=[],t=[];
let seed = 42;
function rnd(){ seed = (seed*1103515245+12345) % 2147483648; return seed/2147483648; }
for (let i=0;i<n;i++){
  const op = price, cl = op*(1+0.004*(rnd()-0.5));
  o.push(op); c.push(cl);
  h.push(Math.max(op,cl)*(1+0.001*rnd())); l.push(Math.min(op,cl)*(1-0.001*rnd()));
  v.push(Math.round(1000*rnd())/10); t.push(new Date(t0 + i*60000)); price = cl;
}
const df = pl.DataFrame({symbol: Array(n).fill("BTCUSDT"), timestamp: t, open:o, high:h, low:l, close:c, volume:v});
console.log(df.dtypes);
df.writeParquet("polars-btc-1m.parquet", {compression: "zstd"});
df.writeIPC("polars-btc-1m-lz4.arrow", {compression: "lz4"});
df.writeIPC("polars-btc-1m-zstd.arrow", {compression: "zstd"});
df.writeIPC("polars-btc-1m-uncompressed.arrow", {compression: "uncompressed"});
console.log("ok");
