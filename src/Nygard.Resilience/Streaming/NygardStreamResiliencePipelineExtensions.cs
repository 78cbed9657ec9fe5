using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Polly;

/// <summary>
/// Runs an asynchronous stream through a resilience pipeline as one execution (aiobreaker's <c>generator_call</c>).
/// </summary>
public static class NygardStreamResiliencePipelineExtensions
{
    /// <summary>
    /// Enumerates <paramref name="source"/> as a single execution of <paramref name="pipeline"/>. The execution
    /// starts (and a breaker admits or rejects it) when enumeration starts; items are passed on as they arrive,
    /// with at most one item waiting; the execution's outcome is the stream's end or its exception. A consumer
    /// that stops early cancels the source, which a breaker counts as neither success nor failure.
    /// </summary>
    /// <typeparam name="T">The type of the stream's items.</typeparam>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="source">Creates the stream; it receives the execution's cancellation token.</param>
    /// <param name="cancellationToken">Cancels the execution and the enumeration.</param>
    /// <returns>The stream's items.</returns>
    public static IAsyncEnumerable<T> ExecuteStreamAsync<T>(
        this ResiliencePipeline pipeline,
        Func<CancellationToken, IAsyncEnumerable<T>> source,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(source);

        return Enumerate(pipeline, source, cancellationToken);
    }

    private static async IAsyncEnumerable<T> Enumerate<T>(
        ResiliencePipeline pipeline,
        Func<CancellationToken, IAsyncEnumerable<T>> source,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Stryker disable once Initializer,Boolean : SingleReader and SingleWriter are performance hints that let the channel skip synchronization; it holds and hands out the same items either way, and this method has one reader and one writer.
        var items = Channel.CreateBounded<T>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var execution = RunAsync(pipeline, source, items.Writer, stop.Token);
        var finished = false;
        try
        {
            while (await items.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (items.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }

            // Stryker disable once Boolean : when the items ran out the execution is awaited on the next line before the finally runs, so cancelling and awaiting the already finished execution again changes nothing.
            finished = true;
            await execution.ConfigureAwait(false);
        }
        finally
        {
            if (!finished)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await execution.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private static async Task RunAsync<T>(ResiliencePipeline pipeline, Func<CancellationToken, IAsyncEnumerable<T>> source, ChannelWriter<T> writer, CancellationToken cancellationToken)
    {
        try
        {
            await pipeline.ExecuteAsync(
                static async (state, token) =>
                {
                    await foreach (var item in state.source(token).WithCancellation(token).ConfigureAwait(false))
                    {
                        await state.writer.WriteAsync(item, token).ConfigureAwait(false);
                    }
                },
                (source, writer),
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writer.TryComplete();
        }
    }
}
