using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZonCoin.Rpc.Server;

namespace ZonCoin.Hosting;

/// <summary>
/// A node's TLS material, as <c>zoncoin crypto generate</c> lays it out: a <see cref="Directory"/> holding
/// <c>server.crt</c>, <c>server.key</c> and <c>ca.crt</c>, or the files named one by one. Client certificates
/// must chain to <c>ca.crt</c> or one of <see cref="ClientRootCaFiles"/> (other orgs' TLS CAs).
/// </summary>
public sealed class TlsSettings
{
    /// <summary>A node's <c>tls/</c> folder; supplies defaults for the three files.</summary>
    public string? Directory { get; set; }

    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>
    /// Whether clients must present a certificate (Fabric's <c>tls.clientAuthRequired</c>); when false, a certificate a
    /// client presents is still checked against the client CAs. Nodes default to true, a peer (which serves
    /// applications through its gateway) to false, as Fabric's.
    /// </summary>
    public bool ClientAuthRequired { get; set; } = true;

    /// <summary>Extra TLS CAs whose clients are accepted, besides the node's own <c>ca.crt</c>.</summary>
    public IList<string> ClientRootCaFiles { get; } = [];

    public string? ResolvedCertificateFile => CertificateFile ?? InDirectory("server.crt");

    public string? ResolvedKeyFile => KeyFile ?? InDirectory("server.key");

    /// <summary>Every client CA file: the directory's <c>ca.crt</c> (when present) and the extra ones.</summary>
    public IReadOnlyList<string> ResolvedClientRootCaFiles =>
        [.. new[] { InDirectory("ca.crt") }.Where(path => path is not null && File.Exists(path)).Select(path => path!), .. ClientRootCaFiles];

    /// <summary>Problems with the settings, each naming the setting under <paramref name="prefix"/>; empty when fine.</summary>
    public IEnumerable<string> Validate(string prefix)
    {
        if (ResolvedCertificateFile is not { } certificate || !File.Exists(certificate))
        {
            yield return $"{prefix}:CertificateFile: TLS certificate '{ResolvedCertificateFile}' does not exist (set {prefix}:Directory or {prefix}:CertificateFile)";
        }
        if (ResolvedKeyFile is not { } key || !File.Exists(key))
        {
            yield return $"{prefix}:KeyFile: TLS key '{ResolvedKeyFile}' does not exist (set {prefix}:Directory or {prefix}:KeyFile)";
        }
        foreach (var ca in ClientRootCaFiles.Where(path => !File.Exists(path)))
        {
            yield return $"{prefix}:ClientRootCaFiles: '{ca}' does not exist";
        }
    }

    /// <summary>Loads the server certificate with its key and the client CAs (mutual TLS, required when <see cref="ClientAuthRequired"/>).</summary>
    public RpcServerTlsOptions Load()
    {
        var certificate = X509Certificate2.CreateFromPemFile(ResolvedCertificateFile!, ResolvedKeyFile!);
        // Kestrel on Linux needs the key in an exportable PKCS#12 form, not an ephemeral PEM key.
        using (certificate)
        {
            var pfx = certificate.Export(X509ContentType.Pkcs12);
            var usable = X509CertificateLoader.LoadPkcs12(pfx, null);
            var authorities = new X509Certificate2Collection();
            foreach (var path in ResolvedClientRootCaFiles)
            {
                authorities.ImportFromPemFile(path);
            }
            return new RpcServerTlsOptions(usable) { ClientCertificateAuthorities = authorities, RequireClientCertificate = ClientAuthRequired };
        }
    }

    private string? InDirectory(string file) => Directory is null ? null : Path.Combine(Directory, file);
}
