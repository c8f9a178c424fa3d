using System.Reflection;
using System.Runtime.InteropServices;

namespace ZonCoin.Kafka;

/// <summary>
/// Loads the librdkafka that the librdkafka.redist package bundles with the app, once per process, and binds both
/// Confluent.Kafka and this library's own P/Invoke calls to that one copy. Call <see cref="EnsureLoaded"/> before
/// building any Confluent.Kafka client; it is cheap, idempotent and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// One copy matters: a mock cluster is created through this library's P/Invokes and the clients that use it through
/// Confluent.Kafka's, and librdkafka handles are pointers into one copy's state.
/// </para>
/// <para>
/// librdkafka.redist ships three Linux builds per architecture: <c>librdkafka.so</c> (linked against Cyrus SASL's
/// <c>libsasl2.so.3</c>, which Debian does not have), <c>centos8-librdkafka.so</c> (no external dependencies beyond
/// glibc) and <c>alpine-librdkafka.so</c> (musl). <see cref="EnsureLoaded"/> tries them in that order, the order
/// Confluent.Kafka itself uses, in the folders where the host keeps the app's native assets, and keeps the first that
/// loads; on Debian that is <c>centos8-librdkafka.so</c>. A DllImport resolver then maps Confluent.Kafka's librdkafka
/// imports (whatever build it would have picked) and ours to that handle, so no system library is ever used.
/// </para>
/// <para>
/// Confluent.Kafka is initialised with <c>Library.Load()</c>, not <c>Library.Load(path)</c>: on Linux the latter
/// first calls <c>dlopen</c> through a library named <c>libdl</c>, which glibc 2.34 and later no longer provide
/// (Debian 12 has only <c>libdl.so.2</c>), and its imports would still be bound by name. The resolver is what decides.
/// </para>
/// </remarks>
public static class KafkaNative
{
    /// <summary>
    /// The Linux builds of librdkafka that librdkafka.redist bundles, most capable first (the order Confluent.Kafka
    /// tries them in).
    /// </summary>
    public static readonly IReadOnlyList<string> BundledLibraryNames = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"];

    /// <summary>The name this library's own P/Invoke declarations use; the resolver maps it to the loaded library.</summary>
    internal const string ImportName = "rdkafka";

    private static readonly Lock Gate = new();
    private static IntPtr library;
    private static string? libraryPath;
    private static bool resolversInstalled;
    private static volatile string? version;

    /// <summary>The librdkafka version in use (e.g. <c>2.16.0</c>); loads the library first if needed.</summary>
    public static string LibrdkafkaVersion
    {
        get
        {
            EnsureLoaded();
            return version!;
        }
    }

    /// <summary>The full path of the librdkafka file in use; loads the library first if needed.</summary>
    public static string LibraryPath
    {
        get
        {
            EnsureLoaded();
            return libraryPath!;
        }
    }

    /// <summary>True once <see cref="EnsureLoaded"/> has succeeded in this process.</summary>
    public static bool IsLoaded => version is not null;

    /// <summary>
    /// Loads the bundled librdkafka and binds Confluent.Kafka to it. Safe to call any number of times from any thread.
    /// </summary>
    /// <exception cref="DllNotFoundException">No bundled librdkafka was found or none loaded; the message lists what was tried.</exception>
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
                throw new PlatformNotSupportedException("ZonCoin's Kafka support loads librdkafka.redist's Linux library and runs on Linux only");
            }
            if (library == IntPtr.Zero)
            {
                (library, libraryPath) = LoadBundledLibrary(NativeDirectories());
            }
            if (!resolversInstalled)
            {
                NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, ResolveConfluentKafka);
                NativeLibrary.SetDllImportResolver(typeof(KafkaNative).Assembly, ResolveOwn);
                resolversInstalled = true;
            }
            // Returns false when Confluent.Kafka was already initialised (by an earlier client); its imports were then
            // bound by its own search of the same folders in the same order, which finds the same file.
            Confluent.Kafka.Library.Load();
            version = Confluent.Kafka.Library.VersionString;
        }
    }

    /// <summary>
    /// The folders that may hold the bundled librdkafka, in search order: those the host lists for the app's native
    /// assets (from its deps.json: <c>runtimes/&lt;rid&gt;/native</c> for a portable app, the app folder for a
    /// RID-specific one), then the same places under the app folder for a host that lists none.
    /// </summary>
    internal static IReadOnlyList<string> NativeDirectories()
    {
        var directories = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string listed)
        {
            directories.AddRange(listed.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        var app = AppContext.BaseDirectory;
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        directories.Add(Path.Combine(app, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"));
        directories.Add(Path.Combine(app, "runtimes", $"linux-{architecture}", "native"));
        directories.Add(app);
        return directories.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Loads the first of <see cref="BundledLibraryNames"/> that exists and loads, folder by folder.
    /// </summary>
    /// <exception cref="DllNotFoundException">None exists, or none loads; the message says which files were tried and why they failed.</exception>
    internal static (IntPtr Handle, string Path) LoadBundledLibrary(IReadOnlyList<string> directories)
    {
        var failures = new List<string>();
        foreach (var directory in directories)
        {
            foreach (var name in BundledLibraryNames)
            {
                var path = Path.Combine(directory, name);
                if (!File.Exists(path))
                {
                    continue;
                }
                try
                {
                    return (NativeLibrary.Load(path), path);
                }
                catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
                {
                    failures.Add($"{path}: {ex.Message.ReplaceLineEndings(" ").Trim()}");
                }
            }
        }
        if (failures.Count == 0)
        {
            throw new DllNotFoundException(
                $"librdkafka was not found: none of {string.Join(", ", BundledLibraryNames)} is in {string.Join(", ", directories)}. "
                + "It comes with the librdkafka.redist package, which the build and `dotnet publish` copy into the app's "
                + "runtimes/<rid>/native folder; rebuild or republish the app with its runtimes folder.");
        }
        throw new DllNotFoundException($"librdkafka could not be loaded: {string.Join("; ", failures)}");
    }

    // Confluent.Kafka imports librdkafka under one name per bundled build (librdkafka, centos8-librdkafka,
    // alpine-librdkafka); every one of them is the library loaded above. Other names (libdl, kernel32) keep the default.
    private static IntPtr ResolveConfluentKafka(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name.Contains("librdkafka", StringComparison.Ordinal) ? library : IntPtr.Zero;

    private static IntPtr ResolveOwn(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == ImportName ? library : IntPtr.Zero;
}
