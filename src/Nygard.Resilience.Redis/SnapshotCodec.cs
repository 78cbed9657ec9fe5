using System.Collections.Immutable;
using System.Globalization;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis;

/// <summary>
/// Writes a snapshot as one short invariant string (times as UTC ticks) and reads it back:
/// <c>version;generation;state;failures;probeSuccesses;failedProbes;openUntil;transitionedAt;manual;lease,lease</c>.
/// </summary>
internal static class SnapshotCodec
{
    public static string Encode(NygardBreakerSnapshot snapshot) => string.Create(
        CultureInfo.InvariantCulture,
        $"{snapshot.Version};{snapshot.Generation};{(int)snapshot.State};{snapshot.FailureCount};{snapshot.ProbeSuccesses};{snapshot.FailedProbes};" +
        $"{(snapshot.OpenUntil is { } openUntil ? openUntil.UtcTicks.ToString(CultureInfo.InvariantCulture) : string.Empty)};" +
        $"{snapshot.TransitionedAt.UtcTicks};{(snapshot.IsManual ? 1 : 0)};{string.Join(',', snapshot.ProbeLeases.Select(l => l.UtcTicks.ToString(CultureInfo.InvariantCulture)))}");

    /// <summary>Reads a snapshot; an empty or unreadable value is the initial snapshot (a key that does not exist).</summary>
    public static NygardBreakerSnapshot Decode(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return NygardBreakerSnapshot.Initial;
        }

        var parts = value.Split(';');
        if (parts.Length != 10)
        {
            return NygardBreakerSnapshot.Initial;
        }

        return new NygardBreakerSnapshot(
            (CircuitState)int.Parse(parts[2], CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture),
            int.Parse(parts[4], CultureInfo.InvariantCulture),
            int.Parse(parts[5], CultureInfo.InvariantCulture),
            parts[9].Length == 0 ? [] : [.. parts[9].Split(',').Select(Time)],
            parts[6].Length == 0 ? null : Time(parts[6]),
            Time(parts[7]),
            parts[8] == "1",
            long.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[0], CultureInfo.InvariantCulture));
    }

    private static DateTimeOffset Time(string ticks) => new(long.Parse(ticks, CultureInfo.InvariantCulture), TimeSpan.Zero);
}
