using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Confluent.Kafka;

namespace ZonCoin.Kafka.Tests;

public sealed class KafkaNativeTests
{
    [Fact]
    public void EnsureLoaded_is_idempotent_and_loads_the_bundled_librdkafka()
    {
        KafkaNative.EnsureLoaded();
        KafkaNative.EnsureLoaded();
        Assert.True(KafkaNative.IsLoaded);
        Assert.StartsWith("2.", KafkaNative.LibrdkafkaVersion, StringComparison.Ordinal);
        Assert.Equal(KafkaNative.LibrdkafkaVersion, Confluent.Kafka.Library.VersionString);

        // librdkafka.redist's copy in this test's output folder, never a system library.
        var path = KafkaNative.LibraryPath;
        Assert.StartsWith(Path.Combine(AppContext.BaseDirectory, "runtimes"), path, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(path), KafkaNative.BundledLibraryNames);
    }

    [Fact]
    public async Task Confluent_clients_and_the_mock_cluster_share_one_librdkafka_in_the_process()
    {
        using var cluster = MockKafkaCluster.Start(1);
        cluster.CreateTopic("one-library");
        using var producer = new ProducerBuilder<Null, byte[]>(KafkaClientConfigs.OrderingProducer(cluster.BootstrapServers))
            .SetLogHandler(static (_, _) => { })
            .Build();
        var delivered = await producer.ProduceAsync(new TopicPartition("one-library", 0), new Message<Null, byte[]> { Value = [1] })
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, delivered.Offset.Value);

        // Every librdkafka file mapped into this process (/proc/self/maps names each mapped file) is the one loaded.
        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].Contains("rdkafka", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .Distinct()
            .ToList();
        Assert.Equal([KafkaNative.LibraryPath], mapped);
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
    public void The_first_bundled_library_that_loads_is_used()
    {
        using var folder = new TemporaryFolder();
        // A librdkafka.so that cannot load (here: not an ELF file; on Debian the real one lacks libsasl2.so.3) is
        // passed over for the next build in the list.
        File.WriteAllText(Path.Combine(folder.Path, "librdkafka.so"), "not a shared library");
        File.CreateSymbolicLink(Path.Combine(folder.Path, "centos8-librdkafka.so"), KafkaNative.LibraryPath);

        var (handle, path) = KafkaNative.LoadBundledLibrary([Path.Combine(folder.Path, "missing"), folder.Path]);

        Assert.Equal(Path.Combine(folder.Path, "centos8-librdkafka.so"), path);
        Assert.NotEqual(IntPtr.Zero, NativeLibrary.GetExport(handle, "rd_kafka_mock_cluster_new"));
        NativeLibrary.Free(handle);
    }

    [Fact]
    public void A_missing_library_is_reported_with_the_folders_searched()
    {
        using var folder = new TemporaryFolder();
        var error = Assert.Throws<DllNotFoundException>(() => KafkaNative.LoadBundledLibrary([folder.Path]));
        Assert.Contains(folder.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("centos8-librdkafka.so", error.Message, StringComparison.Ordinal);
        Assert.Contains("runtimes/<rid>/native", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_that_does_not_load_is_reported_with_the_reason()
    {
        using var folder = new TemporaryFolder();
        var broken = Path.Combine(folder.Path, "centos8-librdkafka.so");
        File.WriteAllText(broken, "not a shared library");
        var error = Assert.Throws<DllNotFoundException>(() => KafkaNative.LoadBundledLibrary([folder.Path]));
        Assert.StartsWith("librdkafka could not be loaded: " + broken + ": ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(": file too short", error.Message, StringComparison.Ordinal); // glibc's dlerror() for it
    }

    [Fact]
    public void The_native_folders_the_host_lists_come_first()
    {
        var listed = (string)AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES")!;
        var directories = KafkaNative.NativeDirectories();
        Assert.Equal(Path.TrimEndingDirectorySeparator(listed.Split(Path.PathSeparator)[0]), directories[0]);
        Assert.Equal(directories[0], Path.GetDirectoryName(KafkaNative.LibraryPath));
        Assert.Equal(directories.Count, directories.Distinct().Count());
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public TemporaryFolder()
        {
            Path = Directory.CreateTempSubdirectory("zoncoin-kafka-native-").FullName;
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
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
