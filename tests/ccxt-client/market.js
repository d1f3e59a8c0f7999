// ccxt's Binance client reads the simulator's market statistics (process.argv[2] = http://127.0.0.1:PORT)
// and checks each against the simulator's own public trades (/api/v3/trades): fetchTicker (24hr and rolling), fetchTickers,
// fetchLastPrices, fetchTrades (aggTrades), fetchOHLCV, fetchOrders, fetchClosedOrders, fetchStatus.
// Prints one JSON line; exits non-zero on any error or mismatch.
const ccxt = require('ccxt');
const base = process.argv[2];
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base || '')) { console.error('usage: node market.js http://127.0.0.1:PORT'); process.exit(2); }
const mismatches = [];
const near = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const check = (name, actual, expected) => { if (!(typeof expected === 'number' ? near(actual, expected) : actual === expected)) mismatches.push(`${name}: ${actual} != ${expected}`); };
const sum = (xs, f) => xs.reduce((s, x) => s + f(x), 0);
(async () => {
  const ex = new ccxt.binance({
    apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
    secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
    enableRateLimit: false,
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, adjustForTimeDifference: false },
  });
  // Every endpoint family points at the local simulator: nothing may leave the machine.
  for (const k of Object.keys(ex.urls.api)) {
    ex.urls.api[k] = (k === 'public' || k === 'private' || k === 'v3') ? base + '/api/v3' : k === 'sapi' ? base + '/sapi/v1' : base + '/unsupported/' + k;
  }
  ex.options['fetchMargins'] = false;
  await ex.loadMarkets();
  // Trade against the seeded book: market buys and sells sweep several levels (several fills per order).
  const placed = [];
  for (let i = 0; i < 6; i++) placed.push(await ex.createOrder('BTC/USDT', 'market', i % 2 ? 'sell' : 'buy', 0.05 + 0.01 * i));
  const ob = await ex.fetchOrderBook('BTC/USDT');
  const resting = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, ob.bids[0][0] - 100);
  await ex.cancelOrder(resting.id, 'BTC/USDT');

  // The simulator's own trades, raw.
  const raw = (await ex.publicGetTrades({ symbol: 'BTCUSDT', limit: 1000 })).map(t => ({ id: +t.id, price: +t.price, qty: +t.qty, time: +t.time }));
  const volume = sum(raw, t => t.qty);

  const ticker = await ex.fetchTicker('BTC/USDT');
  check('ticker.baseVolume', ticker.baseVolume, volume);
  check('ticker.last', ticker.last, raw[raw.length - 1].price);
  check('ticker.open', ticker.open, raw[0].price);
  check('ticker.high', ticker.high, Math.max(...raw.map(t => t.price)));
  check('ticker.low', ticker.low, Math.min(...raw.map(t => t.price)));

  // The rolling-window endpoint (/api/v3/ticker), 1 d by default: the same trades.
  const rolling = await ex.fetchTicker('BTC/USDT', { rolling: true });
  check('rolling.baseVolume', rolling.baseVolume, volume);
  check('rolling.last', rolling.last, raw[raw.length - 1].price);
  check('rolling.open', rolling.open, raw[0].price);

  const tickers = await ex.fetchTickers(['BTC/USDT', 'ETH/USDT']);
  check('tickers', Object.keys(tickers).sort().join(','), 'BTC/USDT,ETH/USDT');
  check('tickers.BTC.baseVolume', tickers['BTC/USDT'].baseVolume, volume);

  const prices = await ex.fetchLastPrices(['BTC/USDT']);
  check('lastPrice', prices['BTC/USDT'].price, raw[raw.length - 1].price);

  const aggs = await ex.fetchTrades('BTC/USDT', undefined, 1000);
  check('aggTrades.volume', sum(aggs, a => a.amount), volume);
  check('aggTrades.count<=trades', aggs.length <= raw.length && aggs.length >= placed.length, true);
  let next = raw[0].id;
  for (const a of aggs) {
    const f = a.info.f, l = a.info.l;
    check('aggTrade.first', f, next);
    next = l + 1;
    const fills = raw.filter(t => t.id >= f && t.id <= l);
    check('aggTrade.amount', a.amount, sum(fills, t => t.qty));
    check('aggTrade.onePrice', fills.every(t => t.price === a.price), true);
  }

  const candles = await ex.fetchOHLCV('BTC/USDT', '1m');
  check('ohlcv.volume', sum(candles, c => c[5]), volume);
  for (const [t, o, h, l, c, v] of candles) {
    const inside = raw.filter(x => x.time >= t && x.time < t + 60000);
    check('candle.open', o, inside[0].price);
    check('candle.high', h, Math.max(...inside.map(x => x.price)));
    check('candle.low', l, Math.min(...inside.map(x => x.price)));
    check('candle.close', c, inside[inside.length - 1].price);
    check('candle.volume', v, sum(inside, x => x.qty));
  }

  const orders = await ex.fetchOrders('BTC/USDT');
  const closed = await ex.fetchClosedOrders('BTC/USDT');
  for (const p of placed) {
    const o = orders.find(x => x.id === p.id);
    check('order.' + p.id, o && o.status, 'closed');
    check('order.filled.' + p.id, o && o.filled, p.amount);
  }
  check('orders.canceled', orders.find(x => x.id === resting.id)?.status, 'canceled');
  check('closedOrders', closed.every(o => o.status === 'closed') && placed.every(p => closed.some(o => o.id === p.id)), true);

  const status = await ex.fetchStatus();
  check('status', status.status, 'ok');

  const result = { trades: raw.length, aggTrades: aggs.length, candles: candles.length, volume, orders: orders.length, closed: closed.length, status: status.status, mismatches };
  console.log(JSON.stringify(result));
  if (mismatches.length) process.exit(1);
})().catch(e => { console.error('FAIL', e.constructor.name, e.message); process.exit(1); });
