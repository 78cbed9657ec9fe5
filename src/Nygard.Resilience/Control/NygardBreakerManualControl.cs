using Nygard.Resilience.StateMachine;
using Nygard.Resilience.Engine;

namespace Nygard.Resilience;

/// <summary>
/// Changes the state of one or more breakers by hand (aiobreaker's <c>open()</c>, <c>half_open()</c> and
/// <c>close()</c>, and Polly's isolation). Set it on <see cref="NygardBreakerStrategyOptions{TResult}.ManualControl"/>
/// of every breaker it should drive. Manual transitions raise events with <c>IsManual</c> set; a command that
/// leaves a breaker's state as it was raises nothing.
/// </summary>
public sealed class NygardBreakerManualControl
{
    private readonly object _gate = new();
    private INygardBreaker[] _breakers = [];
    private bool _isIsolated;

    /// <summary>
    /// Initializes a new instance of the <see cref="NygardBreakerManualControl"/> class.
    /// </summary>
    /// <param name="isIsolated">When <see langword="true"/>, breakers built with this control start isolated.</param>
    public NygardBreakerManualControl(bool isIsolated = false)
    {
        _isIsolated = isIsolated;
    }

    internal bool IsIsolated => Volatile.Read(ref _isIsolated);

    /// <summary>Opens every attached breaker now, for its break duration.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when every breaker is open.</returns>
    public Task OpenAsync(CancellationToken cancellationToken = default) => ApplyAsync(ManualCommand.Open, isolated: false, cancellationToken);

    /// <summary>Half-opens every attached breaker: the next calls run as probes.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when every breaker is half-open.</returns>
    public Task HalfOpenAsync(CancellationToken cancellationToken = default) => ApplyAsync(ManualCommand.HalfOpen, isolated: false, cancellationToken);

    /// <summary>Closes every attached breaker and resets its counts.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when every breaker is closed.</returns>
    public Task CloseAsync(CancellationToken cancellationToken = default) => ApplyAsync(ManualCommand.Close, isolated: false, cancellationToken);

    /// <summary>Isolates every attached breaker: it rejects every call with an <c>IsolatedCircuitException</c> until <see cref="CloseAsync"/>.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when every breaker is isolated.</returns>
    public Task IsolateAsync(CancellationToken cancellationToken = default) => ApplyAsync(ManualCommand.Isolate, isolated: true, cancellationToken);

    internal IDisposable Register(INygardBreaker breaker)
    {
        lock (_gate)
        {
            _breakers = [.. _breakers, breaker];
        }

        return new Registration(this, breaker);
    }

    private async Task ApplyAsync(ManualCommand command, bool isolated, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested(); // a command cancelled before it starts changes nothing, not even later breakers
        Volatile.Write(ref _isIsolated, isolated);
        foreach (var breaker in Volatile.Read(ref _breakers))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await breaker.ApplyManualAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Unregister(INygardBreaker breaker)
    {
        lock (_gate)
        {
            _breakers = Array.FindAll(_breakers, b => !ReferenceEquals(b, breaker));
        }
    }

    private sealed class Registration(NygardBreakerManualControl control, INygardBreaker breaker) : IDisposable
    {
        public void Dispose() => control.Unregister(breaker);
    }
}
