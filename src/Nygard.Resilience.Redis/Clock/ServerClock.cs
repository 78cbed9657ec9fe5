using System.Globalization;

namespace Nygard.Resilience.Redis.Clock;

/// <summary>
/// The Redis server's clock, carried forward on this host's: every round trip returns the server's <c>TIME</c>, and
/// the offset to the local clock is taken at the middle of the round trip. A time that does not parse is ignored.
/// </summary>
internal sealed class ServerClock(TimeProvider local)
{
    private long _offsetTicks;

    public TimeProvider Local => local;

    public DateTimeOffset UtcNow => local.GetUtcNow() + TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));

    /// <summary>Takes the server's time from a reply.</summary>
    /// <param name="sent">When the request left, on the local clock.</param>
    /// <param name="seconds">The server's seconds since the Unix epoch, as text.</param>
    /// <param name="microseconds">The microseconds within that second, as text.</param>
    public void Update(DateTimeOffset sent, string? seconds, string? microseconds)
    {
        if (!long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s > 253_402_300_799 ||
            !long.TryParse(microseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var us) || us >= 1_000_000)
        {
            return;
        }

        var received = local.GetUtcNow();
        var server = DateTimeOffset.FromUnixTimeSeconds(s).AddTicks(us * 10);
        var middle = sent + ((received - sent) / 2);
        Volatile.Write(ref _offsetTicks, (server - middle).Ticks);
    }
}
