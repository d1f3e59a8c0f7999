using Fathom.Hosting;
using MyStrategy;

// `dotnet run -- --config fathom.json --duration 30`: the run config picks "touch-quoter" for its symbol.
return await FathomHost.CreateBuilder(args)
    .AddStrategy<TouchQuoter>("touch-quoter")
    .Build()
    .RunAsync();
