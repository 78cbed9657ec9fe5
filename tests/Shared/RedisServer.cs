using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace Nygard.Resilience.Testing;

/// <summary>
/// A real redis-server from PATH on a free loopback port, without persistence; stopped when disposed.
/// Shared (linked) by the Redis tests and the benchmarks.
/// </summary>
public sealed partial class RedisServer : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private readonly string _directory;
    private Process? _process;

    private RedisServer(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
        _directory = Directory.CreateTempSubdirectory("nygard-redis-").FullName;
    }

    /// <summary>Gets why Redis tests cannot run here, or <see langword="null"/> when they can.</summary>
    public static string? MissingReason { get; } = FindExecutable() is null
        ? "redis-server is not on PATH; install it (apt-get install redis-server) to run the Redis tests, as .ci/run does"
        : null;

    public int Port { get; }

    /// <summary>Gets the name to show in test output.</summary>
    public string Name => $"redis-server:{Port}";

    /// <summary>Starts a server; <paramref name="extraArguments"/> are added to its command line (cluster mode, say).</summary>
    public static async Task<RedisServer> StartAsync(params string[] extraArguments)
    {
        var server = new RedisServer(FreePort(), extraArguments);
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(FindExecutable()!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--daemonize", "no", "--enable-debug-command", "local", "--dir", _directory }.Concat(_extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (!await PingAsync())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Runs redis-cli (installed beside redis-server) with <paramref name="arguments"/>, bounded by 60 seconds.</summary>
    public static async Task<string> CliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(Path.GetDirectoryName(FindExecutable()!)!, "redis-cli"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} failed: {await output}{await error}");
    }

    public ConfigurationOptions Configuration() => FailFastConfiguration(Port);

    /// <summary>
    /// A client configuration for loopback servers that fails fast: no waiting backlog, short timeouts and quick
    /// reconnects, which the outage tests rely on.
    /// </summary>
    public static ConfigurationOptions FailFastConfiguration(params int[] ports)
    {
        var configuration = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            BacklogPolicy = BacklogPolicy.FailFast,
            ConnectTimeout = 5000,
            AsyncTimeout = 1000,
            SyncTimeout = 1000,
            ReconnectRetryPolicy = new LinearRetry(100),
            AllowAdmin = true,
        };
        foreach (var port in ports)
        {
            configuration.EndPoints.Add(IPAddress.Loopback, port);
        }

        return configuration;
    }

    public async Task<ConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(Configuration());

    /// <summary>Counts the commands the server has processed (INFO stats), minus the INFO command itself.</summary>
    public static async Task<long> CommandsProcessedAsync(IConnectionMultiplexer connection)
    {
        var info = await connection.GetServer(connection.GetEndPoints()[0]).InfoAsync("stats");
        var stats = info.Single(group => group.Key.Equals("Stats", StringComparison.OrdinalIgnoreCase));
        return long.Parse(stats.Single(pair => pair.Key == "total_commands_processed").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Counts the scripts the server has run (INFO commandstats): each is one round trip of the store.</summary>
    public static async Task<long> ScriptsRunAsync(IConnectionMultiplexer connection)
    {
        var info = await connection.GetServer(connection.GetEndPoints()[0]).InfoAsync("commandstats");
        return info.SelectMany(group => group)
            .Where(pair => pair.Key is "cmdstat_evalsha" or "cmdstat_eval")
            .Sum(pair => long.Parse(pair.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "redis-server"))
            .FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"));
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
