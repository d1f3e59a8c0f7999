using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fathom.Testing;

/// <summary>
/// A real PostgreSQL server for tests, started from the installed binaries in a temporary directory
/// on a free port, and stopped (and its directory deleted) on dispose.
/// </summary>
/// <remarks>
/// Entry points: <see cref="StartAsync"/>, <see cref="CreateDatabaseAsync"/> (one database a test),
/// <see cref="StopAsync"/> and <see cref="RestartAsync"/> (an outage), <see cref="DisposeAsync"/>.
/// <para>PostgreSQL refuses to run as root, and CI runs as root: then initdb, pg_ctl and createdb run
/// as the <c>postgres</c> user through <c>runuser -u postgres --</c>, and the temporary directory is
/// handed to that user. As any other user they run directly.</para>
/// <para>Binaries: <c>/usr/lib/postgresql/15/bin</c>, else <c>pg_config --bindir</c>, else the newest
/// <c>/usr/lib/postgresql/*/bin</c>. None found is an error saying how to install them, never a skip.</para>
/// <para>The server runs with <c>fsync=off</c>: tests do not crash the machine, and it keeps a start
/// near one second. Trust authentication, listening on 127.0.0.1 only, the socket in the temporary
/// directory. A test host killed outright leaves the server running; its directory names it.</para>
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>What to do when the binaries are missing.</summary>
    public const string InstallHint =
        "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/15/bin, `pg_config --bindir` " +
        "or /usr/lib/postgresql/*/bin. Install them: `apt-get install -y postgresql-15` (or `postgresql`). " +
        ".ci/run installs them on a machine that lacks them.";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _asPostgresUser;
    private int _databases;

    private PostgresServer(string bin, string dir, bool asPostgresUser, int port)
    {
        _bin = bin;
        _dir = dir;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }
    /// <summary>The cluster's superuser (trust authentication, no password).</summary>
    public const string User = "postgres";
    private string DataDir => Path.Combine(_dir, "data");
    private string LogFile => Path.Combine(_dir, "server.log");
    public bool IsRunning { get; private set; }

    /// <summary>A connection string to <paramref name="database"/> on this server (2 s connect timeout, so an outage shows promptly).</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={User};Database={database};Timeout=2;Command Timeout=10";

    /// <summary>Finds the binaries (or takes them from <paramref name="binDirectory"/>), creates the cluster in a new temporary directory and starts it on a free port.</summary>
    /// <exception cref="InvalidOperationException">No PostgreSQL binaries are installed (the message says how to install them), or the server did not start.</exception>
    public static async Task<PostgresServer> StartAsync(string? binDirectory = null)
    {
        string bin = (binDirectory is null ? FindBinDirectory() : HasServerBinaries(binDirectory) ? binDirectory : null)
            ?? throw new InvalidOperationException(InstallHint);
        bool root = Environment.UserName == "root";
        string dir = Directory.CreateTempSubdirectory("fathom-pg-").FullName;
        var server = new PostgresServer(bin, dir, root, FreePort());
        try
        {
            if (root)
                await RunAsync("chown", ["postgres:", dir]).ConfigureAwait(false);
            await server.RunToolAsync("initdb", ["-D", server.DataDir, "-U", User, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
                .ConfigureAwait(false);
            await server.RestartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates a fresh database and returns its connection string (one a test, so tests do not see each other's rows).</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        string name = $"{prefix}_{Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture)}";
        await RunToolAsync("createdb", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, name]).ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Stops the server (fast: open connections are dropped), keeping its data: an outage.</summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
            return;
        await RunToolAsync("pg_ctl", ["stop", "-D", DataDir, "-m", "fast", "-w"]).ConfigureAwait(false);
        IsRunning = false;
    }

    /// <summary>Starts the server (again) on the same port and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
            return;
        string options = $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k '{_dir}' -c listen_addresses=127.0.0.1 -c fsync=off";
        await RunToolAsync("pg_ctl", ["start", "-D", DataDir, "-l", LogFile, "-w", "-t", "30", "-o", options]).ConfigureAwait(false);
        IsRunning = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            try { Directory.Delete(_dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The directory holding initdb and pg_ctl, or null when PostgreSQL is not installed.</summary>
    public static string? FindBinDirectory()
    {
        const string preferred = "/usr/lib/postgresql/15/bin";
        if (HasServerBinaries(preferred))
            return preferred;
        try
        {
            using var p = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (p is not null)
            {
                string dir = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                if (p.ExitCode == 0 && HasServerBinaries(dir))
                    return dir;
            }
        }
        catch (System.ComponentModel.Win32Exception) { } // no pg_config on PATH
        if (!Directory.Exists("/usr/lib/postgresql"))
            return null;
        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : -1))
            .Where(x => HasServerBinaries(x.Dir))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    private static bool HasServerBinaries(string? dir) =>
        dir is not null && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunToolAsync(string tool, string[] args)
    {
        string exe = Path.Combine(_bin, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", exe, .. args], LogFile)
            : RunAsync(exe, args, LogFile);
    }

    private static async Task RunAsync(string exe, string[] args, string? logFile = null)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        // pg_ctl's server inherits nothing it needs from us; a C locale keeps initdb's messages and checks predictable.
        psi.Environment["LC_ALL"] = "C";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        // The server started by pg_ctl keeps our pipes open: read them without waiting for their end.
        var output = new StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await p.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{exe} {string.Join(' ', args)} did not finish in {CommandTimeout}");
        }
        if (p.ExitCode != 0)
        {
            string log = logFile is not null && File.Exists(logFile) ? File.ReadAllText(logFile) : "";
            string text;
            lock (output) text = output.ToString();
            throw new InvalidOperationException($"{exe} {string.Join(' ', args)} exited with {p.ExitCode}:\n{text}\n{log}");
        }
    }
}
