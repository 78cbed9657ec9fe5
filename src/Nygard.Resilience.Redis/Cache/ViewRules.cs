using Nygard.Resilience.Redis.Codec;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Cache;

/// <summary>What to do with a value read from Redis, given the newest value this process knows.</summary>
internal enum Verdict
{
    /// <summary>Nothing new (the same value, or this process's own write).</summary>
    Same,

    /// <summary>Newer news: take it.</summary>
    Adopt,

    /// <summary>Redis lost, rolled back or replaced something this process knows to be newer or more protective: write it back.</summary>
    WriteBack,
}

/// <summary>
/// The forward-only rules. Versions are compared only within one incarnation of the key; across incarnations (the
/// key was deleted, evicted or flushed and created again) the more protective state wins (isolated, then open, then
/// half-open, then closed), and on a tie Redis's value is taken.
/// </summary>
internal static class ViewRules
{
    public static Verdict Judge(StoredEntry known, StoredEntry candidate, DateTimeOffset now)
    {
        if (candidate.Raw == known.Raw)
        {
            return Verdict.Same;
        }

        if (!candidate.IsStored)
        {
            return known.IsStored ? Verdict.WriteBack : Verdict.Same; // the key is gone: no trip lost
        }

        if (!known.IsStored)
        {
            return Verdict.Adopt;
        }

        if (candidate.Incarnation == known.Incarnation && candidate.Snapshot.Version != known.Snapshot.Version)
        {
            return candidate.Snapshot.Version > known.Snapshot.Version ? Verdict.Adopt : Verdict.WriteBack; // lower: rolled back
        }

        // Another lineage, or the same version with other content (a rollback that others have written over).
        return Rank(known.Snapshot, now) > Rank(candidate.Snapshot, now) ? Verdict.WriteBack : Verdict.Adopt;
    }

    private static int Rank(NygardBreakerSnapshot snapshot, DateTimeOffset now) => snapshot.State switch
    {
        CircuitState.Isolated => 3,
        CircuitState.Open when snapshot.OpenUntil > now => 2,
        CircuitState.Closed => 0,
        _ => 1,
    };
}
