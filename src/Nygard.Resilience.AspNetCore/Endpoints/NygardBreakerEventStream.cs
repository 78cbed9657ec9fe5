using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Nygard.Resilience.AspNetCore.Json;

namespace Nygard.Resilience.AspNetCore.Endpoints;

/// <summary>
/// One client of <c>GET {pattern}/events</c> (<c>text/event-stream</c>): first the full list (<c>event: breakers</c>), then
/// one unnamed <c>data:</c> event per transition as it happens, and every interval the call rates
/// (<c>event: rates</c>) and the refreshed list. Transitions are queued per client (bounded: a client that falls
/// behind loses the oldest events, never blocks a breaker).
/// </summary>
internal sealed class NygardBreakerEventStream(HttpContext context, NygardBreakerRegistry registry, NygardBreakerEndpointSettings settings, TimeProvider time, CancellationToken stopping)
{
    private readonly Channel<string> _pending = Channel.CreateBounded<string>(new BoundedChannelOptions(Math.Max(1, settings.StreamCapacity))
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    private readonly Dictionary<NygardBreakerId, NygardBreakerCallCounts> _lastCounts = [];

    public async Task RunAsync()
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // The stream ends when the client goes away or the application stops (so that shutdown does not wait for it).
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var aborted = linked.Token;

        registry.Transitioned += OnTransitioned;
        try
        {
            await WriteAsync(Event("breakers", JsonSerializer.Serialize(NygardBreakerEndpointHandlers.List(registry), NygardBreakerJsonContext.Default.BreakerViewArray)), aborted).ConfigureAwait(false);
            var lastTick = time.GetTimestamp();
            TakeRates(time.GetElapsedTime(lastTick));
            using var ticker = new PeriodicTimer(settings.RateInterval, time);
            var tick = ticker.WaitForNextTickAsync(aborted).AsTask();
            var next = _pending.Reader.WaitToReadAsync(aborted).AsTask();
            while (!aborted.IsCancellationRequested)
            {
                var done = await Task.WhenAny(next, tick).ConfigureAwait(false);
                if (done == tick)
                {
                    if (!await tick.ConfigureAwait(false))
                    {
                        break;
                    }

                    var elapsed = time.GetElapsedTime(lastTick);
                    lastTick = time.GetTimestamp();
                    var rates = JsonSerializer.Serialize(TakeRates(elapsed), NygardBreakerJsonContext.Default.RatesView);
                    await WriteAsync(Event("rates", rates) + Event("breakers", JsonSerializer.Serialize(NygardBreakerEndpointHandlers.List(registry), NygardBreakerJsonContext.Default.BreakerViewArray)), aborted).ConfigureAwait(false);
                    tick = ticker.WaitForNextTickAsync(aborted).AsTask();
                    continue;
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                var batch = new StringBuilder();
                while (batch.Length < 64 * 1024 && _pending.Reader.TryRead(out var item))
                {
                    batch.Append(item);
                }

                await WriteAsync(batch.ToString(), aborted).ConfigureAwait(false);
                next = _pending.Reader.WaitToReadAsync(aborted).AsTask();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            registry.Transitioned -= OnTransitioned;
            _pending.Writer.TryComplete();
        }
    }

    private static string Event(string? name, string json) =>
        name is null ? $"data: {json}\n\n" : $"event: {name}\ndata: {json}\n\n";

    private void OnTransitioned(object? sender, NygardBreakerTransitionEventArgs e)
    {
        var id = e.Breaker.ToString();
        var view = registry.TryGetBreaker(id, out var breaker) ? BreakerView.From(breaker) : null;
        var transition = new TransitionView(id, e.From.ToString(), e.To.ToString(), e.IsManual, e.At, view);
        _pending.Writer.TryWrite(Event(null, JsonSerializer.Serialize(transition, NygardBreakerJsonContext.Default.TransitionView)));
    }

    private RatesView TakeRates(TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var rates = new List<RateView>();
        foreach (var breaker in registry.Breakers)
        {
            var counts = registry.GetCallCounts(breaker.Id);
            var last = _lastCounts.TryGetValue(breaker.Id, out var previous) ? previous : counts;
            _lastCounts[breaker.Id] = counts;
            rates.Add(new RateView(
                breaker.Id.ToString(),
                (counts.Successes - last.Successes) / seconds,
                (counts.Failures - last.Failures) / seconds,
                (counts.Rejections - last.Rejections) / seconds,
                (counts.Ignored - last.Ignored) / seconds,
                counts.Successes,
                counts.Failures,
                counts.Rejections,
                counts.Ignored));
        }

        return new RatesView(seconds, rates);
    }

    private async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync(text, cancellationToken).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
