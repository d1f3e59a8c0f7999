namespace Fathom.Simulator;

/// <summary>
/// A simulated account: free and locked balances per asset (8 decimals), commission rates,
/// default STP mode and trade history. Created and mutated only by <see cref="MatchingEngine"/>.
/// </summary>
public sealed class SimAccount
{
    internal long[] FreeByAsset;
    internal long[] LockedByAsset;
    internal readonly int[] OpenOrdersBySymbol;
    internal readonly List<AccountTrade> TradeList = [];
    private readonly MatchingEngine _engine;

    internal SimAccount(MatchingEngine engine, int id, string name, long makerRate, long takerRate, int assets, int symbols)
    {
        _engine = engine;
        Id = id;
        Name = name;
        MakerCommission = makerRate;
        TakerCommission = takerRate;
        FreeByAsset = new long[assets];
        LockedByAsset = new long[assets];
        OpenOrdersBySymbol = new int[symbols];
    }

    public int Id { get; }
    public string Name { get; }
    /// <summary>Commission rates at 8 decimals (0.001 = 100000).</summary>
    public long MakerCommission { get; set; }
    public long TakerCommission { get; set; }
    public SelfTradePreventionMode? DefaultStp { get; set; }
    public bool CanTrade { get; set; } = true;
    /// <summary>This account's orders expired by self-trade prevention (<c>EXPIRED_IN_MATCH</c>), maker or taker.</summary>
    public long StpExpiredOrders => Volatile.Read(ref StpExpiredCount);
    internal long StpExpiredCount;
    public IReadOnlyList<AccountTrade> Trades => TradeList;

    public long Free(string asset) => FreeByAsset[_engine.AssetIndex(asset)];
    public long Locked(string asset) => LockedByAsset[_engine.AssetIndex(asset)];
    public int OpenOrderCount(SymbolBook book) => OpenOrdersBySymbol[book.Index];

    internal void Lock(int asset, long amount)
    {
        FreeByAsset[asset] = checked(FreeByAsset[asset] - amount);
        LockedByAsset[asset] = checked(LockedByAsset[asset] + amount);
    }

    internal void Unlock(int asset, long amount)
    {
        if (amount < 0 || amount > LockedByAsset[asset])
            throw new InvalidOperationException($"account {Id}: unlocking {amount} of asset {asset} with {LockedByAsset[asset]} locked");
        LockedByAsset[asset] -= amount;
        FreeByAsset[asset] = checked(FreeByAsset[asset] + amount);
    }

    internal void SpendLocked(int asset, long amount)
    {
        if (amount < 0 || amount > LockedByAsset[asset])
            throw new InvalidOperationException($"account {Id}: spending {amount} of asset {asset} with {LockedByAsset[asset]} locked");
        LockedByAsset[asset] -= amount;
    }
}
