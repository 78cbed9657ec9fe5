using System.Globalization;
using Nygard.Resilience.Redis.Commands;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis;

/// <summary>The store's one-step failure counter (<see cref="INygardBreakerFailureCounter"/>): failure storms cost one round trip per failure.</summary>
public sealed partial class RedisNygardBreakerStateStore
{
    /// <summary>
    /// Adds one handled failure to a breaker that is closed in circuit period <paramref name="generation"/>, when that
    /// leaves its failure count below <paramref name="failureThreshold"/>: one round trip whatever the contention, no
    /// compare-and-swap to lose. Returns <see langword="false"/>, changing nothing, when the breaker is not closed in
    /// that period or the failure would trip it (or Redis cannot be reached, or has just come back): the caller then
    /// decides with the state machine and <see cref="TryReplaceAsync"/> as usual, whose reply brings Redis's value.
    /// </summary>
    /// <param name="generation">The circuit period the failed call was admitted in.</param>
    /// <param name="failureThreshold">The breaker's failure threshold.</param>
    /// <param name="cancellationToken">Not used: the round trip is bounded by <see cref="RedisNygardBreakerStateStoreOptions.OperationTimeout"/>.</param>
    /// <returns><see langword="true"/> when the failure was counted.</returns>
    public async ValueTask<bool> TryCountFailureAsync(long generation, int failureThreshold, CancellationToken cancellationToken)
    {
        var entry = _view.Current;
        if (_view.IsOutage || entry.Incarnation is not { } incarnation || entry.Snapshot.State != CircuitState.Closed || entry.Snapshot.Generation != generation ||
            _options.TimeProvider.GetUtcNow().UtcTicks < Interlocked.Read(ref _countingAllowedFromTicks))
        {
            return false;
        }

        CasReply reply;
        try
        {
            // A hint dropped while the count is in flight is no loss: the reply carries Redis's value, at least as new.
            _counting = $"{incarnation}:{(entry.Snapshot.Version + 1).ToString(CultureInfo.InvariantCulture)}";
            reply = await _commands.CountFailureAsync(incarnation, generation, failureThreshold, _options.OperationTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            _counting = null;
            EnterOutage(e);
            return false;
        }

        // A counted failure's reply is Redis's value now, judged like any read (forward only; replies that arrive out of
        // order are older and dropped). A refusal changes nothing here: the compare-and-swap path that follows learns
        // Redis's value from its own reply, and is the one that writes back a value Redis lost.
        if (reply.Stored)
        {
            _ = _view.Reconcile(reply.Current!, fromOwnWrite: false);
        }

        _counting = null; // only now: the echo of the count is known from the reply
        return reply.Stored;
    }
}
