using Nygard.Resilience.Samples;

return await BreakerDemo.RunAsync();
