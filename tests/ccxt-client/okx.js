// ccxt's OKX client against the simulator's OKX v5 front at process.argv[2] (http://127.0.0.1:PORT), with the
// simulator's published demo key and passphrase: load markets (spot), read the book, place a limit order,
// query it, list open orders, cancel it, read the balance. Prints one JSON line; exits non-zero on any error.
const ccxt = require('ccxt');
const base = process.argv[2];
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base || '')) { console.error('usage: node okx.js http://127.0.0.1:PORT'); process.exit(2); }
(async () => {
  const ex = new ccxt.okx({
    apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
    secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
    password: 'FathomDemo1',
    enableRateLimit: false,
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, adjustForTimeDifference: false },
  });
  // Every endpoint family points at the local simulator: nothing may leave the machine.
  for (const k of Object.keys(ex.urls.api)) ex.urls.api[k] = base;
  // The simulator serves no /api/v5/asset/currencies (no funding account): currencies come from the markets.
  ex.has['fetchCurrencies'] = false;
  const markets = await ex.loadMarkets();
  const ob = await ex.fetchOrderBook('BTC/USDT', 5);
  const bid = ob.bids[0][0];
  const price = bid - 10;
  const o = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, price);
  const f = await ex.fetchOrder(o.id, 'BTC/USDT');
  const open = await ex.fetchOpenOrders('BTC/USDT');
  const c = await ex.cancelOrder(o.id, 'BTC/USDT');
  const after = await ex.fetchOrder(o.id, 'BTC/USDT');
  const balance = await ex.fetchBalance();
  console.log(JSON.stringify({ markets: Object.keys(markets).length, tick: markets['BTC/USDT'].precision.price, bid, asks: ob.asks.length,
    id: o.id, fetched: f.status, fetchedPrice: f.price, fetchedAmount: f.amount, open: open.map(x => x.id), canceled: c.id,
    after: after.status, btc: balance['BTC'] ? balance['BTC'].free : null, usdt: balance['USDT'] ? balance['USDT'].total : null }));
})().catch(e => { console.error('FAIL', e.constructor.name, e.message); process.exit(1); });
