using Nygard.Resilience.Redis.Tests.Support;
using Nygard.Resilience.Testing;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Finding 6: missing rights are reported with the server's message and cause no transitions; pub/sub trouble is not an outage.</summary>
public class PermissionTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly RedisNygardBreakerStateStoreOptions Fast = new() { MaxStaleness = TimeSpan.FromMilliseconds(100), OperationTimeout = TimeSpan.FromSeconds(1) };

    [SkippableTheory]
    [InlineData("no-time", "-time", "can't run")]
    [InlineData("no-eval", "-eval -evalsha", "eval")]
    public async Task MissingRight_IsAnOutageReportedWithTheServersMessage_AndCausesNoTransition(string user, string denied, string messagePart)
    {
        var server = Require();
        var name = $"{user}-{Guid.NewGuid():N}";
        await SetUserAsync(server, name, $"+@all {denied}".Trim(), "&*");
        var observer = new RecordingObserver();

        await using var instance = await BreakerInstance.StartAsync(server, $"acl-{name}", storeOptions: Fast, connect: c =>
        {
            c.User = name;
            c.Password = "secret";
        });
        instance.Store.Subscribe(observer);

        Assert.False(instance.Store.IsAvailable, string.Join(" | ", observer.Availability.Select(x => $"{x.IsAvailable} {x.Exception?.Message}")) + " / " + string.Join(",", instance.TelemetryEvents));
        var (isAvailable, exception) = Assert.Single(observer.Availability);
        Assert.False(isAvailable);
        Assert.NotNull(exception);
        Assert.Contains(messagePart, Describe(exception), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ok", (await instance.SucceedAsync()).Result);
        Assert.Empty(observer.Changes);
        Assert.Equal(0, instance.Opened);
    }

    [SkippableFact]
    public async Task MissingPassword_IsAnOutageReportedWithTheServersMessage_AndCausesNoTransition()
    {
        Skip.If(RedisServer.MissingReason is not null, RedisServer.MissingReason);
        await using var server = await RedisServer.StartAsync(); // its own: the default user gets a password
        await using (var admin = await server.ConnectAsync())
        {
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "on", "resetpass", ">admin-secret");
        }

        var observer = new RecordingObserver();
        await using var instance = await BreakerInstance.StartAsync(server, "no-password", storeOptions: Fast, waitForConnection: false);
        instance.Store.Subscribe(observer);

        Assert.False(instance.Store.IsAvailable);
        var (isAvailable, exception) = Assert.Single(observer.Availability);
        Assert.False(isAvailable);
        Assert.NotNull(exception);
        Assert.Contains("NOAUTH", Describe(exception), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ok", (await instance.SucceedAsync()).Result);
        Assert.Empty(observer.Changes);
        Assert.Equal(0, instance.Opened);
    }

    [SkippableFact]
    public async Task NoChannelPermission_IsReportedButIsNotAnOutage_AndSharingStillWorks()
    {
        var server = Require();
        var name = $"no-channel-{Guid.NewGuid():N}";
        await SetUserAsync(server, name, "+@all", "resetchannels");
        var key = $"acl-{name}";
        Action<ConfigurationOptions> asUser = c =>
        {
            c.User = name;
            c.Password = "secret";
        };
        await using var a = await BreakerInstance.StartAsync(server, key, storeOptions: Fast, connect: asUser);
        await using var b = await BreakerInstance.StartAsync(server, key, storeOptions: Fast, connect: asUser);
        var observer = new RecordingObserver();
        b.Store.Subscribe(observer);

        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<InvalidOperationException>((await a.FailAsync()).Exception);
        }

        Assert.Equal(CircuitState.Open, a.State.CircuitState);
        await Eventually.TrueAsync(() => b.State.CircuitState == CircuitState.Open, "b re-reads and sees the trip", TimeSpan.FromSeconds(3));
        Assert.True(a.Store.IsAvailable && b.Store.IsAvailable);
        Assert.DoesNotContain("OnNygardBreakerStoreUnavailable", a.TelemetryEvents);
        Assert.DoesNotContain("OnNygardBreakerStoreUnavailable", b.TelemetryEvents);
        var reported = a.TelemetryEvents.Count(e => e == "OnNygardBreakerStoreProblem");
        Assert.True(reported >= 1, "the refused subscription is reported");
        Assert.Equal(1, a.Opened);
        Assert.Equal(1, b.Opened);
        Assert.All(observer.Availability, report => Assert.True(report.IsAvailable));
    }

    [SkippableFact]
    public async Task PubSubConnectionKilled_WhileCommandsWork_IsNotAnOutage_AndNewsMissedMeanwhileIsRead()
    {
        var server = Require();
        var key = $"pubsub-kill-{Guid.NewGuid():N}";
        await using var a = await BreakerInstance.StartAsync(server, key, storeOptions: Fast);
        await using var b = await BreakerInstance.StartAsync(server, key, storeOptions: Fast);
        await using var admin = await server.ConnectAsync();

        await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        for (var i = 0; i < 3; i++)
        {
            await a.FailAsync();
        }

        await Eventually.TrueAsync(() => b.State.CircuitState == CircuitState.Open, "b sees the trip", TimeSpan.FromSeconds(5));
        Assert.True(a.Store.IsAvailable && b.Store.IsAvailable);
        Assert.DoesNotContain("OnNygardBreakerStoreUnavailable", a.TelemetryEvents);
        Assert.DoesNotContain("OnNygardBreakerStoreUnavailable", b.TelemetryEvents);
    }

    /// <summary>The ACL that README and docs/redis.md give, word for word: enough for sharing, nothing spurious.</summary>
    public const string MinimalAcl = "resetkeys ~nygard:breaker:* resetchannels &nygard:breaker:* -@all +eval +evalsha +time +type +get +set +pexpire +publish +subscribe +unsubscribe +ping +echo +info +client|setname +cluster|nodes";

    [Fact]
    public void MinimalAcl_IsTheOneReadmeAndTheDocsGive()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Nygard.Resilience.sln")))
        {
            folder = folder.Parent;
        }

        Assert.NotNull(folder);
        Assert.Contains(MinimalAcl, File.ReadAllText(Path.Combine(folder.FullName, "README.md")), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task MinimalAclFromTheReadme_IsEnough()
    {
        var server = Require();
        var name = $"minimal-{Guid.NewGuid():N}";
        await using (var admin = await server.ConnectAsync())
        {
            await admin.GetDatabase().ExecuteAsync("ACL", ["SETUSER", name, "on", ">secret", .. MinimalAcl.Split(' ')]);
        }

        Action<ConfigurationOptions> asUser = c =>
        {
            c.User = name;
            c.Password = "secret";
        };
        var key = $"minimal-{Guid.NewGuid():N}";
        await using var a = await BreakerInstance.StartAsync(server, key, storeOptions: Fast, connect: asUser);
        await using var b = await BreakerInstance.StartAsync(server, key, storeOptions: Fast, connect: asUser);
        for (var i = 0; i < 3; i++)
        {
            await a.FailAsync();
        }

        await Eventually.TrueAsync(() => b.State.CircuitState == CircuitState.Open, "b sees the trip");
        await b.Control.CloseAsync();
        await Eventually.TrueAsync(() => a.State.CircuitState == CircuitState.Closed, "a sees the close");
        Assert.DoesNotContain("OnNygardBreakerStoreUnavailable", a.TelemetryEvents.Concat(b.TelemetryEvents));
        Assert.DoesNotContain("OnNygardBreakerStoreProblem", a.TelemetryEvents.Concat(b.TelemetryEvents)); // nothing refused
    }

    private RedisServer Require() => redis.Require();

    private static string Describe(Exception exception) => exception.InnerException is { } inner ? $"{exception.Message} | {Describe(inner)}" : exception.Message;

    private static async Task SetUserAsync(RedisServer server, string name, string commands, string channels)
    {
        await using var admin = await server.ConnectAsync();
        var arguments = new List<object> { "SETUSER", name, "on", ">secret", "~*", channels };
        arguments.AddRange(commands.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        await admin.GetDatabase().ExecuteAsync("ACL", [.. arguments]);
    }
}
