using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Luban.Actors.Cluster;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Luban.Tests.Cluster;

/// <summary>Akka's log events reach Microsoft.Extensions.Logging with the logging class as category and the bare message.</summary>
public sealed class AkkaLogBridgeSpecs
{
    private sealed class Recorder : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Text, Exception? Error)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CategoryLogger(categoryName, Lines);

        public void Dispose()
        {
        }
    }

    private sealed class CategoryLogger(string category, ConcurrentQueue<(string, LogLevel, string, Exception?)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, logLevel, formatter(state, exception), exception));
    }

    private sealed class Chatty : ReceiveActor
    {
        public Chatty()
        {
            var log = Context.GetLogger();
            Receive<string>(text =>
            {
                log.Warning("careful: {0}", text);
                log.Error(new InvalidOperationException("boom"), "failed: {0}", text);
            });
        }
    }

    [Fact]
    public async Task Akka_log_events_should_arrive_with_the_actor_class_as_category_and_only_the_message()
    {
        var recorder = new Recorder();
        using var factory = LoggerFactory.Create(b => b.AddProvider(recorder).SetMinimumLevel(LogLevel.Debug));
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = INFO
            akka.loggers = ["{{typeof(AkkaLogBridge).AssemblyQualifiedName}}"]
            """);
        var system = ActorSystem.Create("bridge", BootstrapSetup.Create().WithConfig(config).And(new AkkaLogBridgeSetup(factory)));
        try
        {
            system.ActorOf(Props.Create(() => new Chatty())).Tell("disk");

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (recorder.Lines.Count(l => l.Category == typeof(Chatty).FullName) < 2 && DateTime.UtcNow < deadline)
                await Task.Delay(20);

            var lines = recorder.Lines.Where(l => l.Category == typeof(Chatty).FullName).ToList();
            Assert.Equal([(LogLevel.Warning, "careful: disk"), (LogLevel.Error, "failed: disk")], lines.Select(l => (l.Level, l.Text)));
            Assert.IsType<InvalidOperationException>(lines[1].Error);
            Assert.DoesNotContain(recorder.Lines, l => l.Text.Contains("[INFO]", StringComparison.Ordinal));
        }
        finally
        {
            await system.Terminate();
        }
    }
}
