using Nygard.Resilience.Testing;
using System.Diagnostics;
using Nygard.Resilience.Redis.Tests.Support;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Separate OS processes (the TestHost program) sharing one breaker with this one.</summary>
public class MultiProcessTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [SkippableFact]
    public async Task BreakerTrippedInAnotherProcess_RejectsHere_AndInAThirdProcess()
    {
        var server = redis.Require();
        var key = $"processes-{Guid.NewGuid():N}";
        await using var here = await BreakerInstance.StartAsync(server, key);

        var first = await RunHostAsync(server.Port, key, failures: 3);
        Assert.Equal("state=Open failures=3 rejected=0", first);

        await Eventually.TrueAsync(() => here.State.CircuitState == CircuitState.Open, "this process sees the other's trip");
        Assert.IsType<BrokenCircuitException>((await here.SucceedAsync()).Exception);

        var third = await RunHostAsync(server.Port, key, failures: 2);
        Assert.Equal("state=Open failures=3 rejected=2", third);
    }

    private static async Task<string> RunHostAsync(int port, string key, int failures)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Nygard.Resilience.Redis.TestHost.dll"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), key, failures.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, await errors);
        return (await output).Trim();
    }
}
