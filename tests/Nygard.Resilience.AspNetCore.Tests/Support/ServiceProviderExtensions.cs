using Microsoft.Extensions.DependencyInjection;

namespace Nygard.Resilience.AspNetCore.Tests.Support;

internal static class ServiceProviderExtensions
{
    public static T GetRequiredServiceForTests<T>(this IServiceProvider services)
        where T : notnull => services.GetRequiredService<T>();
}
