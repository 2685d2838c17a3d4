using System.Text;
using Tend.Templates.Execution;
using Tend.Templates.Parsing;

namespace Tend.Templates;

/// <summary>
/// A parsed and compiled Go text/template. Immutable: one instance may render concurrently on
/// any number of threads. Output and errors are byte-identical with Go's text/template.
/// </summary>
public sealed class GoTemplate
{
    private static readonly FunctionRegistry DefaultFunctions = FunctionRegistry.CreateBuiltins();

    private readonly Dictionary<string, CompiledTree> _trees;
    private readonly CompiledTree? _root;
    private readonly MissingKeyMode _missingKey;
    private readonly Dictionary<string, ListNode> _parsed;

    private GoTemplate(string name, Dictionary<string, CompiledTree> trees, Dictionary<string, ListNode> parsed, MissingKeyMode missingKey)
    {
        Name = name;
        _trees = trees;
        _parsed = parsed;
        _root = trees.GetValueOrDefault(name);
        _missingKey = missingKey;
    }

    /// <summary>The name given to <see cref="Parse"/>; it appears in every error message.</summary>
    public string Name { get; }

    /// <summary>Names of all templates in this text (the top-level one and every define/block), sorted.</summary>
    public IReadOnlyList<string> TemplateNames => _trees.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Parses and compiles a template.</summary>
    /// <param name="name">Name used in error messages (typically the file name).</param>
    /// <param name="text">The template text.</param>
    /// <param name="options">Missing-key mode and functions; null for Go's defaults.</param>
    /// <exception cref="TemplateParseException">The text is not a valid template; the message is Go's.</exception>
    public static GoTemplate Parse(string name, string text, TemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        options ??= new TemplateOptions();
        var functions = options.Functions?.Clone() ?? DefaultFunctions;
        try
        {
            return ParseAndCompile(name, text, options, functions);
        }
        catch (InsufficientExecutionStackException)
        {
            // Very deep nesting: Go's stacks grow, ours do not, so redo the work on a large stack.
            GoTemplate? result = null;
            Exception? error = null;
            var thread = new Thread(
                () =>
                {
                    try
                    {
                        result = ParseAndCompile(name, text, options, functions);
                    }
                    catch (Exception e)
                    {
                        error = e;
                    }
                },
                512 * 1024 * 1024);
            thread.Start();
            thread.Join();
            if (error is InsufficientExecutionStackException)
            {
                string detail = "template nested too deeply";
                throw new TemplateParseException($"template: {name}:1: {detail}", name, 1, 0, detail);
            }
            if (error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }
            return result!;
        }
    }

    private static GoTemplate ParseAndCompile(string name, string text, TemplateOptions options, FunctionRegistry functions)
    {
        ParseResult parsed;
        try
        {
            parsed = Parser.Parse(name, text, n => functions.TryGet(n, out _), options.LeftDelimiter, options.RightDelimiter);
        }
        catch (ParseFailure e)
        {
            var info = new TreeInfo(name, text);
            int col = info.LineColumn(e.Pos).Column;
            string prefix = $"template: {name}:{e.Line}: ";
            string detail = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
            throw new TemplateParseException(e.Message, name, e.Line, col, detail);
        }
        var trees = Compiler.Compile(parsed, functions);
        return new GoTemplate(name, trees, parsed.Trees, options.MissingKey);
    }

    /// <summary>
    /// For each call of the named functions anywhere in this text (every define and block too), its
    /// first argument as written when that is a string literal, or null when it is only known at
    /// render time (a variable, a field, a pipeline, a value piped in). Tells a caller which keys a
    /// template can read before it renders; one null means it may read any.
    /// </summary>
    public IReadOnlyList<string?> FirstArguments(IReadOnlyCollection<string> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var names = functions as IReadOnlySet<string> ?? new HashSet<string>(functions, StringComparer.Ordinal);
        var found = new List<string?>();
        foreach (var tree in _parsed.Values)
        {
            CallSites.Collect(tree, names, found);
        }

        return found;
    }

    /// <summary>Renders the template with <paramref name="data"/> as dot into <paramref name="output"/>.</summary>
    /// <remarks>
    /// Data is JSON-like: <c>Dictionary&lt;string, object?&gt;</c> (Go map[string]interface {}),
    /// <c>List&lt;object?&gt;</c> ([]interface {}), <see cref="long"/> (int), <see cref="double"/> (float64),
    /// string, bool, null; any other object behaves as a Go struct whose public properties are
    /// fields and whose public methods can be called. See <see cref="TemplateData.FromJson(string)"/>.
    /// </remarks>
    /// <exception cref="TemplateExecutionException">Execution failed; the message is Go's. Output written so far stays written.</exception>
    public void Render(TextWriter output, object? data) => Render(output, data, TemplateLimits.None);

    /// <summary>
    /// Renders the template with <paramref name="data"/> as dot into <paramref name="output"/>, within
    /// <paramref name="limits"/> and until <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <exception cref="TemplateExecutionException">
    /// Execution failed, or a limit was exceeded (<see cref="TemplateExecutionException.LimitExceeded"/> says which).
    /// Output written so far stays written.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public void Render(TextWriter output, object? data, TemplateLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(limits);
        if (_root is null)
        {
            string msg = $"{Formatting.GoStrings.Quote(Name)} is an incomplete or empty template";
            throw new TemplateExecutionException($"template: {Name}: {msg}", Name, Name, 0, 0, msg);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var s = new ExecState(output, _root, _missingKey, limits, cancellationToken);
        object? dot = data is null ? null : GoValues.Normalize(data);
        s.Push("$", dot);
        var previous = ExecState.Enter(s);
        try
        {
            _root.Body(s, dot);
        }
        catch (BudgetExceededException e)
        {
            // The printer ran out of room while formatting an action's value: positioned at that action.
            throw s.LimitError(e.Kind, e.Message);
        }
        finally
        {
            ExecState.Enter(previous);
        }
    }

    /// <summary>Renders to a string.</summary>
    /// <exception cref="TemplateExecutionException">Execution failed; the message is Go's.</exception>
    public string RenderToString(object? data) => RenderToString(data, TemplateLimits.None);

    /// <summary>Renders to a string, within <paramref name="limits"/> and until <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="TemplateExecutionException">Execution failed or a limit was exceeded; the message is Go's or names the limit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public string RenderToString(object? data, TemplateLimits limits, CancellationToken cancellationToken = default)
    {
        var sb = new StringBuilder();
        using var w = new StringWriter(sb, System.Globalization.CultureInfo.InvariantCulture);
        Render(w, data, limits, cancellationToken);
        return sb.ToString();
    }
}
