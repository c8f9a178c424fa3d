using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ZonCoin.Hosting.Tests;

public sealed class NodeServiceCollectionExtensionsTests
{
    [Fact]
    public void The_shared_node_services_are_registered_once_however_many_node_kinds_add_them()
    {
        var services = new ServiceCollection();
        services.AddNodeServices();
        var count = services.Count;
        services.AddNodeServices();
        Assert.Equal(count, services.Count);
        Assert.Single(services, service => service.ServiceType == typeof(PrometheusExporter));
    }

    [Fact]
    public void A_clock_the_host_registers_first_is_the_one_the_nodes_use()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddNodeServices();
        using var provider = services.BuildServiceProvider();
        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task Two_node_kinds_with_bad_settings_fail_the_start_naming_every_bad_setting_of_both()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.AddNodeOptions<FirstOptions, FirstValidator>("First", static (section, first) => section.Bind(first), first => first.Name = "");
        builder.AddNodeOptions<SecondOptions, SecondValidator>("Second", static (section, second) => section.Bind(second), second => second.Port = -1);
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        var failures = failure is AggregateException aggregate
            ? aggregate.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).ToList()
            : [.. ((OptionsValidationException)failure).Failures];
        Assert.Equal(["First:Name: required", "Second:Port: must be positive"], failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Settings_come_from_their_configuration_section_and_then_the_code()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Second:Port"] = "7051", ["Second:Name"] = "from-config" });
        builder.AddNodeOptions<SecondOptions, SecondValidator>("Second", static (section, second) => section.Bind(second), second => second.Name += "+code");
        await using var app = builder.Build();
        var options = app.Services.GetRequiredService<IOptions<SecondOptions>>().Value;
        Assert.Equal(7051, options.Port);
        Assert.Equal("from-config+code", options.Name);
    }

    public sealed class FirstOptions
    {
        public string Name { get; set; } = "first";
    }

    public sealed class SecondOptions
    {
        public string Name { get; set; } = "";

        public int Port { get; set; } = 1;
    }

    private sealed class FirstValidator : IValidateOptions<FirstOptions>
    {
        public ValidateOptionsResult Validate(string? name, FirstOptions options) =>
            options.Name.Length == 0 ? ValidateOptionsResult.Fail("First:Name: required") : ValidateOptionsResult.Success;
    }

    private sealed class SecondValidator : IValidateOptions<SecondOptions>
    {
        public ValidateOptionsResult Validate(string? name, SecondOptions options) =>
            options.Port <= 0 ? ValidateOptionsResult.Fail("Second:Port: must be positive") : ValidateOptionsResult.Success;
    }
}
