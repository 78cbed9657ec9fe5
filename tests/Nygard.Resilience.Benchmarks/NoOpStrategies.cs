using Polly;

namespace Nygard.Resilience.Benchmarks;

/// <summary>Strategies that only call through: the floor any strategy in a Polly pipeline can reach.</summary>
internal static class NoOpStrategies
{
    public static ResiliencePipeline Generic() =>
        new ResiliencePipelineBuilder().AddStrategy(_ => new GenericNoOp(), new NoOpOptions()).Build();

    public static ResiliencePipeline NonGeneric() =>
        new ResiliencePipelineBuilder().AddStrategy(_ => new NonGenericNoOp(), new NoOpOptions()).Build();

    private sealed class NoOpOptions : ResilienceStrategyOptions;

    private sealed class GenericNoOp : ResilienceStrategy<object>
    {
        protected override ValueTask<Outcome<object>> ExecuteCore<TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<object>>> callback, ResilienceContext context, TState state) =>
            callback(context, state);
    }

    private sealed class NonGenericNoOp : ResilienceStrategy
    {
        protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state) =>
            callback(context, state);
    }
}
