using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Luban.Actors.Cluster;

/// <summary>The process's logger factory, handed to the actor system so Akka's log lines join the process's own.</summary>
public sealed class AkkaLogBridgeSetup(ILoggerFactory factory) : Setup
{
    public ILoggerFactory Factory { get; } = factory;
}

/// <summary>
/// Akka's logger, writing every log event to Microsoft.Extensions.Logging: the category is the class that logged
/// (<c>Luban.Actors.Scaling.ScaleSupervisor</c>, <c>Akka.Cluster.Cluster</c>), the text only the message, so a process
/// has one log format whether a line came from Akka, ASP.NET or our own code.
/// </summary>
public sealed class AkkaLogBridge : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);
    private readonly ILoggerFactory _factory;

    public AkkaLogBridge()
    {
        _factory = Context.System.Settings.Setup.Get<AkkaLogBridgeSetup>().Value?.Factory
                   ?? throw new InvalidOperationException($"{nameof(AkkaLogBridge)} needs an {nameof(AkkaLogBridgeSetup)} in the actor system's setup");
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent logEvent:
                var logger = _loggers.GetOrAdd(CategoryOf(logEvent), _factory.CreateLogger);
                var level = LevelOf(logEvent.LogLevel());
                if (logger.IsEnabled(level))
                    logger.Log(level, default, logEvent.Message?.ToString() ?? "", logEvent.Cause, static (text, _) => text);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The class that logged; for Akka's string sources ("Cluster (akka://luban)") Akka and the source's name.</summary>
    private static string CategoryOf(LogEvent logEvent)
    {
        if (logEvent.LogClass != typeof(DummyClassForStringSources)) return logEvent.LogClass.FullName ?? logEvent.LogClass.Name;
        var source = logEvent.LogSource ?? "";
        var end = source.IndexOfAny([' ', '(']);
        return "Akka." + (end > 0 ? source[..end] : source);
    }

    private static LogLevel LevelOf(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
