namespace Nygard.Resilience.Engine;

/// <summary>What a rejection needs to know of the call that opened the breaker, whatever its result type.</summary>
internal interface ITransitionCause
{
    /// <summary>Gets the circuit period the transition began.</summary>
    long Generation { get; }

    /// <summary>Gets the exception the call threw, if it threw one.</summary>
    Exception? Exception { get; }
}
