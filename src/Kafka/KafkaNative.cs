using System.Reflection;
using System.Runtime.InteropServices;

namespace ZonCoin.Kafka;

/// <summary>
/// Loads the system librdkafka (Debian <c>librdkafka1</c>, 2.0.x) for Confluent.Kafka and for this library's own
/// P/Invoke calls. Call <see cref="EnsureLoaded"/> once before building any Confluent.Kafka client; it is cheap,
/// idempotent and thread-safe.
/// </summary>
/// <remarks>
/// Confluent.Kafka 1.9.3 normally loads librdkafka from its <c>librdkafka.redist</c> package, which our registry does
/// not carry, and it calls <c>dlopen</c> through a library named <c>libdl</c>, which does not exist on Debian 12
/// (only <c>libdl.so.2</c>). A DllImport resolver on its assembly maps both names to what the system has.
/// </remarks>
public static class KafkaNative
{
    /// <summary>The soname of the system librdkafka this project uses.</summary>
    public const string SystemLibraryName = "librdkafka.so.1";

    /// <summary>The name this library's own P/Invoke declarations use; the resolver maps it to the system library.</summary>
    internal const string ImportName = "rdkafka";

    private const string InstallHint = "run `apt-get update && apt-get install -y librdkafka1` (scripts/test.sh and scripts/demo.sh do this)";

    private static readonly Lock Gate = new();
    private static IntPtr library;
    private static bool resolversInstalled;
    private static volatile string? version;

    /// <summary>The librdkafka version in use (e.g. <c>2.0.2</c>); loads the library first if needed.</summary>
    public static string LibrdkafkaVersion
    {
        get
        {
            EnsureLoaded();
            return version!;
        }
    }

    /// <summary>True once <see cref="EnsureLoaded"/> has succeeded in this process.</summary>
    public static bool IsLoaded => version is not null;

    /// <summary>
    /// Loads the system librdkafka and points Confluent.Kafka at it. Safe to call any number of times from any thread.
    /// </summary>
    /// <exception cref="DllNotFoundException">librdkafka (or libdl) is not installed; the message says how to install it.</exception>
    /// <exception cref="PlatformNotSupportedException">Not running on Linux.</exception>
    public static void EnsureLoaded()
    {
        if (version is not null)
        {
            return;
        }
        lock (Gate)
        {
            if (version is not null)
            {
                return;
            }
            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("ZonCoin's Kafka support loads the system librdkafka and runs on Linux only");
            }
            if (library == IntPtr.Zero)
            {
                library = LoadSystemLibrary(SystemLibraryName);
            }
            if (!resolversInstalled)
            {
                NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
                NativeLibrary.SetDllImportResolver(typeof(KafkaNative).Assembly, Resolve);
                resolversInstalled = true;
            }
            // Returns false when Confluent.Kafka was already initialised, which is fine as long as it is our library.
            Confluent.Kafka.Library.Load(SystemLibraryName);
            version = Confluent.Kafka.Library.VersionString;
        }
    }

    /// <summary>Loads a native library by name, or throws an exception that tells the operator what to install.</summary>
    internal static IntPtr LoadSystemLibrary(string name)
    {
        if (NativeLibrary.TryLoad(name, out var handle))
        {
            return handle;
        }
        throw new DllNotFoundException(
            $"the Kafka client library {name} could not be loaded; ZonCoin uses the system librdkafka (Debian package librdkafka1, 2.0.x): {InstallHint}");
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name == "libdl")
        {
            return NativeLibrary.TryLoad("libdl.so.2", out var libdl) ? libdl : IntPtr.Zero;
        }
        return name.Contains(ImportName, StringComparison.Ordinal) ? library : IntPtr.Zero;
    }
}
