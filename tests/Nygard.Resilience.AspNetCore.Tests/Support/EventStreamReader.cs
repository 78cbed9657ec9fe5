namespace Nygard.Resilience.AspNetCore.Tests.Support;

/// <summary>Reads server-sent events (<c>event:</c> / <c>data:</c> lines, blank line ends one) from a response stream.</summary>
internal sealed class EventStreamReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    public async Task<(string? Event, string Data)> ReadAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    return (name, string.Join('\n', data));
                }

                continue;
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line["data: ".Length..]);
            }
        }
    }

    /// <summary>Reads until an event satisfies the condition, within the token's deadline.</summary>
    public async Task<(string? Event, string Data)> ReadUntilAsync(Func<(string? Event, string Data), bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = await ReadAsync(cancellationToken);
            if (condition(next))
            {
                return next;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
