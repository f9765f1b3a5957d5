using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Endpoints.OAuth;

/// <summary>
/// API.md §3.2: the query values <c>connect_token</c>, <c>code</c> and <c>state</c> are written as <c>***</c> in every log
/// line. The framework logs full request URLs before any middleware runs (hosting's "Request starting/finished" lines,
/// HTTP logging, Kestrel's bad-request details), so the masking sits in the logger factory: loggers of framework
/// categories rewrite the message, the structured values and an exception's text before any provider sees them.
/// Our own categories never log those values (the OAuth log test proves it) and pass through untouched.
/// </summary>
internal static partial class SensitiveQueryLogRedaction
{
    public const string Mask = "***";

    /// <summary>Wraps the registered <see cref="ILoggerFactory"/>; providers added later (tests, exporters) are covered too.</summary>
    public static IServiceCollection AddSensitiveQueryLogRedaction(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(static sp => new RedactingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));
        return services;
    }

    /// <summary>Replaces the values of <c>connect_token</c>, <c>code</c> and <c>state</c> query parameters with <c>***</c>.</summary>
    public static string Redact(string text)
    {
        if (!text.Contains("code=", StringComparison.OrdinalIgnoreCase) && !text.Contains("state=", StringComparison.OrdinalIgnoreCase)
            && !text.Contains("token=", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        return SensitiveValue().Replace(text, Mask);
    }

    /// <summary>Framework categories log URLs; ours do not.</summary>
    internal static bool AppliesTo(string category) =>
        category.StartsWith("Microsoft.", StringComparison.Ordinal) || category.StartsWith("System.", StringComparison.Ordinal);

    [GeneratedRegex(@"(?<=(?:^|[?&;])(?:connect_token|code|state)=)[^&#\s""']+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SensitiveValue();

    private sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName)
        {
            var logger = inner.CreateLogger(categoryName);
            return AppliesTo(categoryName) ? new RedactingLogger(logger) : logger;
        }

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var redacted = Redact(message);
            var changed = !ReferenceEquals(message, redacted) && message != redacted;
            List<KeyValuePair<string, object?>>? values = null;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
            {
                values = new List<KeyValuePair<string, object?>>(pairs.Count);
                foreach (var (key, value) in pairs)
                {
                    if (value is string s && Redact(s) is var r && r != s)
                    {
                        values.Add(new KeyValuePair<string, object?>(key, r));
                        changed = true;
                    }
                    else
                    {
                        values.Add(new KeyValuePair<string, object?>(key, value));
                    }
                }
            }

            if (exception is not null && Redact(exception.Message) is var exceptionText && exceptionText != exception.Message)
            {
                // The exception itself cannot be rewritten: keep its type and the masked text, drop the original.
                redacted += " | " + exception.GetType().FullName + ": " + exceptionText;
                exception = null;
                changed = true;
            }

            if (!changed)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            inner.Log(logLevel, eventId, new RedactedState(values ?? [], redacted), exception, static (s, _) => s.Message);
        }
    }

    /// <summary>Structured state with the masked values; <see cref="ToString"/> is the masked message.</summary>
    private sealed class RedactedState(List<KeyValuePair<string, object?>> values, string message) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;

        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}
