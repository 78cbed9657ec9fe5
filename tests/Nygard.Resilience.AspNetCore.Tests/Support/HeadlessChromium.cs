using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nygard.Resilience.AspNetCore.Tests.Support;

/// <summary>
/// Debian's <c>chromium</c>, headless, driven through the Chrome DevTools Protocol over a WebSocket on loopback:
/// one page, navigate, evaluate script, capture screenshots. Every wait is bounded.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly Dictionary<int, TaskCompletionSource<JsonNode>> _pending = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _receiving;
    private int _nextId;
    private string? _session;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The browser, or a failure that says how to install it (CI installs it: <c>.ci/run</c>).</summary>
    public static string ExecutablePath =>
        Locate() ?? throw new InvalidOperationException("The dashboard's browser test needs Chromium: install Debian's package (apt-get install -y chromium), or set CHROMIUM_PATH. .ci/run installs it.");

    /// <summary>
    /// Gets why the browser tests cannot run on this machine, or <see langword="null"/>. In CI (<c>CI=true</c>, which
    /// .ci/run installs Chromium for) they never skip: a missing browser fails them there.
    /// </summary>
    public static string? MissingReason =>
        Locate() is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? "Chromium is not installed (apt-get install -y chromium, or set CHROMIUM_PATH); .ci/run installs it and runs this test."
            : null;

    private static string? Locate() =>
        new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var profile = Directory.CreateTempSubdirectory("nygard-chromium-").FullName;
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", $"--user-data-dir={profile}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start.");
        var browser = new HeadlessChromium(process, profile);
        try
        {
            _ = process.StandardOutput.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? endpoint = null;
            while (endpoint is null)
            {
                var line = await process.StandardError.ReadLineAsync(deadline.Token)
                    ?? throw new InvalidOperationException("Chromium exited before it opened its DevTools endpoint.");
                var at = line.IndexOf("ws://", StringComparison.Ordinal);
                if (line.StartsWith("DevTools listening on ", StringComparison.Ordinal) && at >= 0)
                {
                    endpoint = line[at..].Trim();
                }
            }

            _ = DrainAsync(process.StandardError);
            await browser.ConnectAsync(new Uri(endpoint));
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sets the page's size; <paramref name="mobile"/> emulates a phone's viewport.</summary>
    public Task ResizeAsync(int width, int height, bool mobile) =>
        SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = mobile });

    public Task NavigateAsync(Uri url) => SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });

    /// <summary>Evaluates an expression in the page and returns its value (awaiting promises).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } error)
        {
            throw new InvalidOperationException($"The page threw: {error.ToJsonString()}");
        }

        return result["result"]?["value"];
    }

    /// <summary>Polls an expression until it returns <see langword="true"/>, failing with a description after the deadline.</summary>
    public async Task WaitUntilAsync(string expression, string description, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (await EvaluateAsync(expression) is JsonValue value && value.TryGetValue<bool>(out var done) && done)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var body = await EvaluateAsync("document.body ? document.body.innerText : ''");
                throw new TimeoutException($"The page did not show {description} in time. Its text:\n{body}");
            }

            await Task.Delay(50);
        }
    }

    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        return Convert.FromBase64String(result["data"]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, closing.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The browser is going away anyway.
        }

        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying child process: the temp folder is cleaned by the system.
        }
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is not null)
            {
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The browser exited.
        }
    }

    private async Task ConnectAsync(Uri endpoint)
    {
        using var connecting = new CancellationTokenSource(CommandTimeout);
        await _socket.ConnectAsync(endpoint, connecting.Token);
        _receiving = ReceiveAsync();
        var target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
        _session = attached["sessionId"]!.GetValue<string>();
        await SendAsync("Page.enable", []);
        await SendAsync("Runtime.enable", []);
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters)
    {
        var completion = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        int id;
        lock (_pending)
        {
            id = ++_nextId;
            _pending[id] = completion;
        }

        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (_session is not null)
        {
            message["sessionId"] = _session;
        }

        using var sending = new CancellationTokenSource(CommandTimeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, sending.Token);
        try
        {
            return await completion.Task.WaitAsync(CommandTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Chromium did not answer {method} within {CommandTimeout.TotalSeconds} s.");
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var node = JsonNode.Parse(message.ToArray());
                message.SetLength(0);
                if (node?["id"] is not { } idNode)
                {
                    continue; // an event
                }

                TaskCompletionSource<JsonNode>? completion;
                lock (_pending)
                {
                    _pending.Remove(idNode.GetValue<int>(), out completion);
                }

                if (node["error"] is { } error)
                {
                    completion?.TrySetException(new InvalidOperationException($"Chromium refused a command: {error.ToJsonString()}"));
                }
                else
                {
                    completion?.TrySetResult(node["result"] ?? new JsonObject());
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Closing.
        }

        lock (_pending)
        {
            foreach (var completion in _pending.Values)
            {
                completion.TrySetException(new InvalidOperationException("The connection to Chromium closed."));
            }

            _pending.Clear();
        }
    }
}
