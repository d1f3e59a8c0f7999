using System.Runtime.CompilerServices;

// The integration tests feed WS API frames the simulator does not send (serverShutdown,
// eventStreamTerminated on the WS API) straight into BinanceOrderGateway.HandleFrame.
[assembly: InternalsVisibleTo("Fathom.Integration.Tests")]
