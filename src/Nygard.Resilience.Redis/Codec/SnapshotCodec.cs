using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Codec;

/// <summary>
/// Writes a snapshot as one short invariant string and reads it back, believing nothing it has not checked:
/// <c>n1;incarnation;version;generation;state;failures;probeSuccesses;failedProbes;openUntil;transitionedAt;manual;lease,lease</c>
/// (times as UTC ticks, <c>openUntil</c> empty unless open).
/// </summary>
internal static class SnapshotCodec
{
    /// <summary>The format tag, first in every value; a value written by another format does not decode.</summary>
    public const string Format = "n1";

    /// <summary>The longest value the store accepts; anything longer is corrupt.</summary>
    public const int MaxLength = 16 * 1024;

    private const int FieldCount = 12;
    private static readonly TimeSpan LongestBreak = TimeSpan.FromDays(1);

    /// <summary>Makes a new incarnation id: 16 random hex digits.</summary>
    /// <returns>The id.</returns>
    public static string NewIncarnation() => Random.Shared.NextInt64().ToString("x16", CultureInfo.InvariantCulture);

    public static string Encode(string incarnation, NygardBreakerSnapshot snapshot) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Format};{incarnation};{snapshot.Version};{snapshot.Generation};{(int)snapshot.State};{snapshot.FailureCount};{snapshot.ProbeSuccesses};{snapshot.FailedProbes};" +
        $"{(snapshot.OpenUntil is { } openUntil ? openUntil.UtcTicks.ToString(CultureInfo.InvariantCulture) : string.Empty)};" +
        $"{snapshot.TransitionedAt.UtcTicks};{(snapshot.IsManual ? 1 : 0)};{string.Join(',', snapshot.ProbeLeases.Select(l => l.UtcTicks.ToString(CultureInfo.InvariantCulture)))}");

    /// <summary>
    /// Reads a stored value. An empty value is a key that does not exist. Anything that does not decode, or decodes
    /// to a snapshot the state machine could not have made, is refused with the reason.
    /// </summary>
    /// <param name="raw">The stored value.</param>
    /// <param name="entry">The entry, when the value is valid.</param>
    /// <param name="error">Why the value is refused, when it is not valid.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryDecode(string raw, [NotNullWhen(true)] out StoredEntry? entry, [NotNullWhen(false)] out string? error)
    {
        entry = null;
        if (raw.Length == 0)
        {
            entry = StoredEntry.Absent;
            error = null;
            return true;
        }

        error = Check(raw, out var snapshot, out var incarnation);
        if (error is null)
        {
            entry = new StoredEntry(snapshot!, raw, incarnation);
            return true;
        }

        return false;
    }

    private static string? Check(string raw, out NygardBreakerSnapshot? snapshot, out string? incarnation)
    {
        snapshot = null;
        incarnation = null;
        if (raw.Length > MaxLength)
        {
            return $"the value is {raw.Length} characters long (at most {MaxLength})";
        }

        var parts = raw.Split(';');
        if (parts.Length != FieldCount || parts[0] != Format)
        {
            return $"the value is not in the '{Format}' format ({FieldCount} fields separated by ';')";
        }

        incarnation = parts[1];
        if (incarnation.Length is 0 or > 32 || !incarnation.All(char.IsAsciiHexDigitLower))
        {
            return "the incarnation id is not 1 to 32 lower-case hex digits";
        }

        if (!TryCount(parts[2], out long version) || version < 1 || !TryCount(parts[3], out long generation) || generation > version)
        {
            return "the version or generation is not a number from 0 to the version (versions start at 1)";
        }

        if (!int.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var stateNumber) || !Enum.IsDefined((CircuitState)stateNumber))
        {
            return $"the state '{parts[4]}' is not a circuit state";
        }

        var state = (CircuitState)stateNumber;
        if (!TryCount(parts[5], out int failures) || !TryCount(parts[6], out int probeSuccesses) || !TryCount(parts[7], out int failedProbes))
        {
            return "a count is negative or not a 32-bit number";
        }

        if (!TryTime(parts[9], out var transitionedAt))
        {
            return "the transition time is not a valid UTC tick count";
        }

        DateTimeOffset? openUntil = null;
        if (state == CircuitState.Open)
        {
            if (!TryTime(parts[8], out var until) || until - transitionedAt > LongestBreak || until < transitionedAt)
            {
                return "the end of the break is missing, invalid, or more than one day after the trip";
            }

            openUntil = until;
        }
        else if (parts[8].Length != 0)
        {
            return "a breaker that is not open has an end of break";
        }

        if (parts[10] is not ("0" or "1"))
        {
            return "the manual flag is not 0 or 1";
        }

        var leases = ImmutableArray<DateTimeOffset>.Empty;
        if (parts[11].Length != 0)
        {
            if (state != CircuitState.HalfOpen)
            {
                return "a breaker that is not half-open has probes in flight";
            }

            var builder = ImmutableArray.CreateBuilder<DateTimeOffset>();
            foreach (var lease in parts[11].Split(','))
            {
                if (!TryTime(lease, out var expiry) || expiry < transitionedAt)
                {
                    return "a probe lease is not a valid time after the transition";
                }

                builder.Add(expiry);
            }

            leases = builder.ToImmutable();
        }

        snapshot = new NygardBreakerSnapshot(state, failures, probeSuccesses, failedProbes, leases, openUntil, transitionedAt, parts[10] == "1", generation, version);
        return null;
    }

    private static bool TryCount(string text, out long value) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryCount(string text, out int value) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryTime(string text, out DateTimeOffset time)
    {
        time = default;
        if (!TryCount(text, out long ticks) || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        time = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }
}
