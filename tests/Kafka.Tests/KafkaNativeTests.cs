using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace ZonCoin.Kafka.Tests;

public sealed class KafkaNativeTests
{
    [Fact]
    public void EnsureLoaded_is_idempotent_and_loads_the_system_librdkafka()
    {
        KafkaNative.EnsureLoaded();
        KafkaNative.EnsureLoaded();
        Assert.True(KafkaNative.IsLoaded);
        Assert.StartsWith("2.", KafkaNative.LibrdkafkaVersion, StringComparison.Ordinal);
        Assert.Equal(KafkaNative.LibrdkafkaVersion, Confluent.Kafka.Library.VersionString);
    }

    [Fact]
    public async Task EnsureLoaded_is_safe_when_many_threads_make_the_first_call_at_once()
    {
        // A fresh load context gives fresh copies of ZonCoin.Kafka and Confluent.Kafka (their own statics and
        // DllImport resolvers), so this really races the first call even when other tests loaded it already.
        var context = new IsolatedKafkaContext(AppContext.BaseDirectory);
        var kafka = context.LoadFromAssemblyName(new AssemblyName("ZonCoin.Kafka"));
        Assert.NotSame(typeof(KafkaNative).Assembly, kafka);
        var native = kafka.GetType("ZonCoin.Kafka.KafkaNative", throwOnError: true)!;
        var ensureLoaded = native.GetMethod(nameof(KafkaNative.EnsureLoaded))!;
        Assert.False((bool)native.GetProperty(nameof(KafkaNative.IsLoaded))!.GetValue(null)!);

        const int Threads = 16;
        using var start = new Barrier(Threads);
        var errors = new ConcurrentBag<Exception>();
        var callers = Enumerable.Range(0, Threads).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            try
            {
                ensureLoaded.Invoke(null, null);
            }
#pragma warning disable CA1031 // collect every failure for the assertion below
            catch (Exception ex)
#pragma warning restore CA1031
            {
                errors.Add(ex);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(errors);
        Assert.True((bool)native.GetProperty(nameof(KafkaNative.IsLoaded))!.GetValue(null)!);
        Assert.Equal(KafkaNative.LibrdkafkaVersion, native.GetProperty(nameof(KafkaNative.LibrdkafkaVersion))!.GetValue(null));
        ensureLoaded.Invoke(null, null);
    }

    [Fact]
    public void A_missing_library_is_reported_with_the_install_command()
    {
        var error = Assert.Throws<DllNotFoundException>(() => KafkaNative.LoadSystemLibrary("librdkafka-not-installed.so.9"));
        Assert.Contains("apt-get install -y librdkafka1", error.Message, StringComparison.Ordinal);
        Assert.Contains("librdkafka-not-installed.so.9", error.Message, StringComparison.Ordinal);
    }

    private sealed class IsolatedKafkaContext : AssemblyLoadContext
    {
        private readonly string directory;

        public IsolatedKafkaContext(string directory)
            : base("kafka-native-race")
        {
            this.directory = directory;
        }

        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name is "ZonCoin.Kafka" or "Confluent.Kafka"
                ? LoadFromAssemblyPath(Path.Combine(directory, assemblyName.Name + ".dll"))
                : null;
    }
}
