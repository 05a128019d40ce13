using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace FipsCluster.Module.Tests.Harness;

/// <summary>
/// A PSHost that records everything written to it (Out-Default's rendering of format views, What if:
/// messages, prompts), with ANSI escapes stripped, and answers confirmation prompts as told.
/// </summary>
public sealed class CapturingHost : PSHost
{
    private readonly CapturingUI _ui = new();

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.GetCultureInfo("en-US");
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override string Name => "FipsCluster.Tests";
    public override PSHostUserInterface UI => _ui;
    public override Version Version => new(1, 0);

    public string Text => _ui.Text;

    /// <summary>Which choice PromptForChoice answers (index into the choices); default: the default choice.</summary>
    public int? ConfirmChoice { get => _ui.Choice; set => _ui.Choice = value; }

    public int PromptCount => _ui.PromptCount;

    public void Clear() => _ui.Clear();

    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class CapturingUI : PSHostUserInterface
    {
        private static readonly Regex Ansi = new(@"\x1b\[[0-9;?]*[ -/]*[@-~]", RegexOptions.Compiled);
        private readonly StringBuilder _text = new();
        private readonly object _gate = new();
        private readonly RawUI _raw = new();

        public int? Choice { get; set; }
        public int PromptCount { get; private set; }

        public string Text { get { lock (_gate) { return _text.ToString(); } } }

        public void Clear() { lock (_gate) { _text.Clear(); PromptCount = 0; } }

        private void Append(string value) { lock (_gate) { _text.Append(Ansi.Replace(value, "")); } }

        public override PSHostRawUserInterface RawUI => _raw;
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
            => throw new NotSupportedException("The test host does not prompt for input.");
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            PromptCount++;
            Append($"PROMPT {caption}: {message}\n");
            return Choice ?? defaultChoice;
        }
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
            => throw new NotSupportedException();
        public override string ReadLine() => throw new NotSupportedException();
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
        public override void Write(string value) => Append(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);
        public override void WriteLine(string value) => Append(value + "\n");
        public override void WriteErrorLine(string value) => Append("ERROR: " + value + "\n");
        public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");
        public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) => Append($"PROGRESS: {record.Activity} {record.StatusDescription}\n");
    }

    private sealed class RawUI : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override Size BufferSize { get; set; } = new(240, 1000);
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(240, 1000);
        public override Size MaxWindowSize => new(240, 1000);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; } = new(240, 1000);
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
