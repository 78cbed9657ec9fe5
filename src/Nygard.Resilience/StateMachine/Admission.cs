namespace Nygard.Resilience.StateMachine;

/// <summary>The state machine's answer to a call that asks to run.</summary>
/// <param name="Kind">Whether the call runs.</param>
/// <param name="Ticket">The admitted call's ticket.</param>
/// <param name="RetryAfter">For a rejection while open or half-open, the time until a call may run again.</param>
/// <param name="OpenedIn">
/// For a rejection, the circuit period that began when the breaker last opened (the current one while open, the one
/// before while half-open): rejections carry the exception that opened it only if it is still that period's.
/// </param>
internal readonly record struct Admission(AdmissionKind Kind, CallTicket Ticket, TimeSpan RetryAfter, long OpenedIn = 0);
