using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.StateMachine;

/// <summary>
/// The SPEC's state machine written again, plainly and mutably, to check the real breaker against.
/// It shares no code with the library.
/// </summary>
internal sealed class ReferenceModel(int threshold, int permits, int successThreshold, TimeSpan breakDuration, Func<int, TimeSpan> generator)
{
    private readonly List<DateTimeOffset> _leases = [];
    private int _probeSuccesses;
    private int _failedProbes;
    private int _period;

    public CircuitState State { get; private set; } = CircuitState.Closed;

    public int Failures { get; private set; }

    public DateTimeOffset? OpenUntil { get; private set; }

    public List<string> Events { get; } = [];

    /// <summary>Returns "ok" when the call may run (with its ticket), otherwise the kind of rejection.</summary>
    public (string Result, (int Period, DateTimeOffset? Lease) Ticket) Admit(DateTimeOffset now)
    {
        if (State == CircuitState.Isolated)
        {
            return ("isolated", default);
        }

        if (State == CircuitState.Open)
        {
            if (now < OpenUntil)
            {
                return ("broken", default);
            }

            State = CircuitState.HalfOpen;
            OpenUntil = null;
            _probeSuccesses = 0;
            _leases.Clear();
            _period++;
            Events.Add("half-opened");
        }

        if (State == CircuitState.HalfOpen)
        {
            _leases.RemoveAll(lease => lease <= now);
            if (_leases.Count >= permits)
            {
                return ("broken", default);
            }

            var lease = now + breakDuration;
            _leases.Add(lease);
            return ("ok", (_period, lease));
        }

        return ("ok", (_period, null));
    }

    /// <summary>Records how an admitted call ended: "success", "failure" or "cancelled".</summary>
    public void Finish((int Period, DateTimeOffset? Lease) ticket, string how, DateTimeOffset now)
    {
        if (ticket.Period != _period)
        {
            return;
        }

        if (State == CircuitState.Closed)
        {
            if (how == "success")
            {
                Failures = 0;
            }
            else if (how == "failure")
            {
                Failures++;
                if (Failures >= threshold)
                {
                    Open(now, attempts: 0);
                }
            }

            return;
        }

        if (State != CircuitState.HalfOpen || ticket.Lease is not { } lease)
        {
            return;
        }

        _leases.Remove(lease); // a lapsed lease is gone already; the probe's outcome still counts

        if (how == "success")
        {
            Failures = 0;
            _probeSuccesses++;
            if (_probeSuccesses >= successThreshold)
            {
                Close(manual: false);
            }
        }
        else if (how == "failure")
        {
            Failures++;
            _failedProbes++;
            Open(now, _failedProbes);
        }
    }

    public void Manual(string command, DateTimeOffset now)
    {
        switch (command)
        {
            case "open" when State != CircuitState.Open:
                State = CircuitState.Open;
                OpenUntil = now + breakDuration;
                NewPeriod();
                Events.Add($"opened manual {breakDuration.TotalSeconds}s");
                break;
            case "half-open" when State != CircuitState.HalfOpen:
                State = CircuitState.HalfOpen;
                OpenUntil = null;
                NewPeriod();
                Events.Add("half-opened");
                break;
            case "isolate" when State != CircuitState.Isolated:
                State = CircuitState.Isolated;
                OpenUntil = null;
                NewPeriod();
                Events.Add($"opened manual {TimeSpan.MaxValue.TotalSeconds}s");
                break;
            case "close" when State != CircuitState.Closed:
                Close(manual: true);
                break;
            case "close":
                Failures = 0;
                break;
        }
    }

    private void Open(DateTimeOffset now, int attempts)
    {
        var duration = generator(attempts);
        State = CircuitState.Open;
        OpenUntil = now + duration;
        NewPeriod();
        Events.Add($"opened {duration.TotalSeconds}s");
    }

    private void Close(bool manual)
    {
        State = CircuitState.Closed;
        Failures = 0;
        _failedProbes = 0;
        OpenUntil = null;
        NewPeriod();
        Events.Add(manual ? "closed manual" : "closed");
    }

    private void NewPeriod()
    {
        _period++;
        _probeSuccesses = 0;
        _leases.Clear();
    }
}
