namespace Nygard.Resilience.StateMachine;

/// <summary>How a call's outcome counts.</summary>
internal enum OutcomeKind
{
    /// <summary>Not handled by ShouldHandle: resets the failure count.</summary>
    Success,

    /// <summary>Handled by ShouldHandle: adds one to the failure count.</summary>
    Failure,

    /// <summary>Cancelled by the caller: changes no count; a probe gives its permit back.</summary>
    Neutral,
}
