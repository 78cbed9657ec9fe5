namespace Nygard.Resilience.StateMachine;

/// <summary>The state machine's answer to a call that asks to run.</summary>
/// <param name="Kind">Whether the call runs.</param>
/// <param name="Ticket">The admitted call's ticket.</param>
/// <param name="RetryAfter">For a rejection while open or half-open, the time until a call may run again.</param>
internal readonly record struct Admission(AdmissionKind Kind, CallTicket Ticket, TimeSpan RetryAfter);
