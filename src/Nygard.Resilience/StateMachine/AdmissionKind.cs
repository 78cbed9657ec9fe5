namespace Nygard.Resilience.StateMachine;

/// <summary>What happens to a call that asks to run.</summary>
internal enum AdmissionKind
{
    Admitted,
    RejectedOpen,
    RejectedIsolated,
}
