using Microsoft.Extensions.Logging;
using ZonCoin.Orderer.Channels;

namespace ZonCoin.Orderer.Consensus.Solo;

/// <summary>Creates <see cref="SoloChain"/>s.</summary>
internal sealed class SoloConsenter : IConsenter
{
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly bool _adaptiveCutting;

    public SoloConsenter(TimeProvider time, ILoggerFactory loggers, bool adaptiveCutting = true)
    {
        _time = time;
        _loggers = loggers;
        _adaptiveCutting = adaptiveCutting;
    }

    public string Type => "solo";

    public IChain CreateChain(ChainSupport support) => new SoloChain(support, _time, _loggers.CreateLogger<SoloChain>(), _adaptiveCutting);
}
