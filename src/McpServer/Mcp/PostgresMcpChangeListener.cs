using System.Text.Json;
using Assistiv.Platform.Storage;
using Npgsql;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// On PostgreSQL with <c>StatefulForInitializeClients</c>: <c>LISTEN</c>s on <see cref="McpChangeDispatcher.Channel"/>
/// with a dedicated connection and hands other instances' changes to the dispatcher, so their sessions hear
/// <c>list_changed</c> and <c>elicitation/complete</c> within API.md §1.4's 5 s. A lost connection is reopened after a
/// short pause; since notifications sent meanwhile are lost, every open session then re-reads its list.
/// </summary>
internal sealed partial class PostgresMcpChangeListener(
    McpChangeDispatcher dispatcher,
    StorageOptions storage,
    TimeProvider time,
    ILogger<PostgresMcpChangeListener> logger) : BackgroundService
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(2);

    private volatile bool _listening;

    /// <summary>Whether the <c>LISTEN</c> connection is up (tests wait for it before publishing).</summary>
    public bool IsListening => _listening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!dispatcher.CrossInstance)
        {
            return;
        }

        var reconnect = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(storage.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {McpChangeDispatcher.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (reconnect)
                {
                    dispatcher.RefreshAll();
                }

                reconnect = true;
                _listening = true;
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _listening = false;
                LogConnectionLost(logger, ex.GetType().Name);
                try
                {
                    await Task.Delay(s_retryDelay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        McpChange? change;
        try
        {
            change = JsonSerializer.Deserialize(e.Payload, McpChangeJsonContext.Default.McpChange);
        }
        catch (JsonException)
        {
            change = null;
        }

        if (change is null)
        {
            LogBadPayload(logger);
            return;
        }

        dispatcher.Received(change);
    }

    [LoggerMessage(1, LogLevel.Warning, "The MCP change listener lost its PostgreSQL connection ({ExceptionType}); reconnecting.")]
    private static partial void LogConnectionLost(ILogger logger, string exceptionType);

    [LoggerMessage(2, LogLevel.Warning, "Ignored an MCP change notification that did not parse.")]
    private static partial void LogBadPayload(ILogger logger);
}
