// ccxt's Binance client against the simulator at process.argv[2] (http://127.0.0.1:PORT), with the
// simulator's published demo key: load markets, read the book, place, query and cancel an order,
// take liquidity, and read back our trades. Prints one JSON line; exits non-zero on any error.
const ccxt = require('ccxt');
const base = process.argv[2];
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base || '')) { console.error('usage: node roundtrip.js http://127.0.0.1:PORT'); process.exit(2); }
(async () => {
  const ex = new ccxt.binance({
    apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
    secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
    enableRateLimit: false,
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, adjustForTimeDifference: false },
  });
  // Every endpoint family points at the local simulator: nothing may leave the machine.
  for (const k of Object.keys(ex.urls.api)) {
    ex.urls.api[k] = (k === 'public' || k === 'private' || k === 'v3') ? base + '/api/v3' : base + '/unsupported/' + k;
  }
  ex.options['fetchMargins'] = false;
  const markets = await ex.loadMarkets();
  const ob = await ex.fetchOrderBook('BTC/USDT');
  const bid = ob.bids[0][0];
  const o = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, bid - 10);
  const f = await ex.fetchOrder(o.id, 'BTC/USDT');
  const c = await ex.cancelOrder(o.id, 'BTC/USDT');
  const t = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001);
  const trades = await ex.fetchMyTrades('BTC/USDT');
  console.log(JSON.stringify({ markets: Object.keys(markets).length, bid, placed: o.status, fetched: f.status, canceled: c.status,
    taker: t.status, takerFilled: t.filled, trades: trades.length }));
})().catch(e => { console.error('FAIL', e.constructor.name, e.message); process.exit(1); });
