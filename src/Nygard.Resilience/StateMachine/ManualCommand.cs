namespace Nygard.Resilience.StateMachine;

/// <summary>A manual state change.</summary>
internal enum ManualCommand
{
    Open,
    HalfOpen,
    Close,
    Isolate,
}
