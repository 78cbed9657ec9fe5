using Nygard.Resilience.Redis.Clock;
using Nygard.Resilience.Redis.Keys;
using StackExchange.Redis;

namespace Nygard.Resilience.Redis.Commands;

/// <summary>
/// Sends the store's three scripts and parses their replies, each bounded by a deadline. A reply that is not the shape
/// the scripts return is a <see cref="RedisException"/>, like any other failure of Redis. A request abandoned at its
/// deadline is still observed, so it never leaves an unobserved task exception.
/// </summary>
internal sealed class StoreCommands(IConnectionMultiplexer connection, BreakerKeys keys, ServerClock clock, TimeSpan keyExpiry)
{
    private readonly RedisValue _expiryMilliseconds = (long)keyExpiry.TotalMilliseconds;
    private readonly RedisValue _channelName = keys.ChannelName;
    private long _roundTrips;

    /// <summary>Gets the number of round trips this store has made.</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    public async Task<CasReply> CompareAndSwapAsync(string expected, string replacement, string hint, TimeSpan timeout)
    {
        var parts = await EvaluateAsync(RedisScripts.CompareAndSwap, [expected, replacement, _expiryMilliseconds, _channelName, hint], atLeast: 3, timeAt: 1, timeout).ConfigureAwait(false);
        if ((long)parts[0] == 1)
        {
            return new CasReply(true, null);
        }

        return parts.Length == 4 ? new CasReply(false, (string?)parts[3] ?? string.Empty) : throw Malformed();
    }

    /// <summary>Sends <see cref="RedisScripts.CountFailure"/>; the reply carries the value stored after it.</summary>
    public async Task<CasReply> CountFailureAsync(string incarnation, long generation, int threshold, TimeSpan timeout)
    {
        var parts = await EvaluateAsync(RedisScripts.CountFailure, [incarnation, generation, threshold, _expiryMilliseconds, _channelName], atLeast: 4, timeAt: 1, timeout).ConfigureAwait(false);
        return new CasReply((long)parts[0] == 1, (string?)parts[3] ?? string.Empty);
    }

    public async Task<string> ReadAsync(TimeSpan timeout)
    {
        var parts = await EvaluateAsync(RedisScripts.Read, [_expiryMilliseconds], atLeast: 3, timeAt: 0, timeout).ConfigureAwait(false);
        return (string?)parts[2] ?? string.Empty;
    }

    /// <summary>Waits for <paramref name="task"/> at most <paramref name="timeout"/>; a task left behind is observed.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout)
    {
        try
        {
            if (timeout <= TimeSpan.Zero)
            {
                throw new TimeoutException("The store's time for this operation (OperationTimeout) was used up before Redis was asked.");
            }

            return await task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Observe(task);
            throw;
        }
    }

    /// <summary>Waits for <paramref name="task"/> at most <paramref name="timeout"/>; a task left behind is observed.</summary>
    public static async Task WithinAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Observe(task);
            throw;
        }
    }

    /// <summary>Makes sure a task's failure, if any, is observed.</summary>
    public static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>
    /// Runs one script within <paramref name="timeout"/>, counts the round trip, checks that the reply has at least
    /// <paramref name="atLeast"/> parts and takes the server's time from the two parts at <paramref name="timeAt"/>.
    /// </summary>
    private async Task<RedisResult[]> EvaluateAsync(string script, RedisValue[] args, int atLeast, int timeAt, TimeSpan timeout)
    {
        var sent = clock.Local.GetUtcNow();
        var result = await WithinAsync(connection.GetDatabase().ScriptEvaluateAsync(script, keys.State, args), timeout).ConfigureAwait(false);
        Interlocked.Increment(ref _roundTrips);
        var parts = result.Resp2Type == ResultType.Array && (RedisResult[]?)result is { } array && array.Length >= atLeast ? array : throw Malformed();
        clock.Update(sent, (string?)parts[timeAt], (string?)parts[timeAt + 1]);
        return parts;
    }

    private static RedisException Malformed() => new("The store's script returned a reply of an unexpected shape.");
}
