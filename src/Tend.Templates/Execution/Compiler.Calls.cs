using System.Collections;
using Tend.Templates.Formatting;
using Tend.Templates.Parsing;

namespace Tend.Templates.Execution;

// Fields, methods and functions as called at render time, and actions that print straight to the output.
internal sealed partial class Compiler
{
    private static (object? Value, bool Wrapped) EvalField(ExecState s, object? dot, string name, Node node, ArgEvaluator[] args, bool hasArgs, object? final, object? receiver, bool wrapped)
    {
        if (receiver is null)
        {
            if (s.MissingKey == MissingKeyMode.Error)
            {
                throw s.Error($"nil data; no entry for key {GoStrings.Quote(name)}");
            }
            return (null, false);
        }
        if (receiver is GoNil)
        {
            throw s.Error($"nil pointer evaluating interface {{}}.{name}");
        }
        switch (receiver)
        {
            case Dictionary<string, object?> d:
                if (hasArgs)
                {
                    throw s.Error($"{name} is not a method but has arguments");
                }
                if (d.TryGetValue(name, out var found))
                {
                    return (found ?? GoNil.Instance, true);
                }
                return MissingKey(s, name, receiver);
            case string or long or double or bool or IList:
                break;
            default:
                var kind = GoValues.Kind(receiver);
                if (kind == GoKind.Map)
                {
                    if (hasArgs)
                    {
                        throw s.Error($"{name} is not a method but has arguments");
                    }
                    if (GoValues.TryMapIndex(receiver, name, out var v))
                    {
                        return (v, GoValues.ElementsAreInterfaces(receiver));
                    }
                    return MissingKey(s, name, receiver);
                }
                if (receiver is TemplateNilPointer nil)
                {
                    return NilPointerMember(s, dot, nil, name, node, args, final, wrapped);
                }
                if (receiver is ITemplateStruct ts)
                {
                    var type = ts.TemplateType;
                    if (type.TryGetMethod(name, out var method))
                    {
                        return (CallMethod(s, dot, method, receiver, name, node, args, final), false);
                    }
                    if (type.TryGetField(name, out var field))
                    {
                        if (hasArgs)
                        {
                            throw s.Error($"{name} has arguments but cannot be invoked as function");
                        }
                        return (GoValues.Normalize(field.Get(receiver)), field.IsInterface);
                    }
                }
                break;
        }
        string typ = wrapped ? "interface {}" : GoValues.TypeName(receiver);
        throw s.Error($"can't evaluate field {name} in type {typ}");
    }

    /// <summary>
    /// A field or method of a nil pointer (Go's evalField on a nil *T): a field of T fails with "nil pointer
    /// evaluating", a method is called and fails as Go's value method does on a nil receiver, and a name T does not
    /// declare is the usual "can't evaluate field".
    /// </summary>
    private static (object? Value, bool Wrapped) NilPointerMember(ExecState s, object? dot, TemplateNilPointer nil, string name, Node node, ArgEvaluator[] args, object? final, bool wrapped)
    {
        string typ = wrapped ? "interface {}" : nil.TypeName;
        var type = nil.ElementType;
        if (type.TryGetMethod(name, out var method))
        {
            // The arguments are checked first, as Go's evalCall does; the call itself then fails (Go names the type's
            // package path, which a declared type does not have).
            string shortName = type.Name[(type.Name.LastIndexOf('.') + 1)..];
            var failing = new TemplateMethod(name, method.Parameters, method.IsVariadic, (_, _) =>
                throw new InvalidOperationException($"value method {type.Name}.{name} called using nil *{shortName} pointer"));
            return (CallMethod(s, dot, failing, nil, name, node, args, final), false);
        }
        if (type.TryGetField(name, out _))
        {
            throw s.Error($"nil pointer evaluating {typ}.{name}");
        }
        throw s.Error($"can't evaluate field {name} in type {typ}");
    }

    private static (object? Value, bool Wrapped) MissingKey(ExecState s, string name, object map)
    {
        switch (s.MissingKey)
        {
            case MissingKeyMode.Zero:
                var z = GoValues.MapZero(map);
                return (z, z is GoNil);
            case MissingKeyMode.Error:
                throw s.Error($"map has no entry for key {GoStrings.Quote(name)}");
            default:
                return (null, false);
        }
    }

    private static object? CallMethod(ExecState s, object? dot, TemplateMethod m, object receiver, string name, Node node, ArgEvaluator[] args, object? final)
    {
        var ps = m.Parameters;
        int numIn = args.Length + (final != Missing ? 1 : 0);
        int numFixed = args.Length;
        if (m.IsVariadic)
        {
            numFixed = ps.Count - 1;
            if (numIn < numFixed)
            {
                throw s.Error($"wrong number of args for {name}: want at least {ps.Count - 1} got {args.Length}");
            }
        }
        else if (numIn != ps.Count)
        {
            throw s.Error($"wrong number of args for {name}: want {ps.Count} got {numIn}");
        }
        s.Tick();
        var argv = numIn == 0 ? [] : new object?[numIn];
        int i = 0;
        for (; i < numFixed && i < args.Length; i++)
        {
            argv[i] = args[i].Eval(s, dot, ps[i]);
        }
        if (m.IsVariadic)
        {
            for (; i < args.Length; i++)
            {
                argv[i] = args[i].Eval(s, dot, ps[^1]);
            }
        }
        if (final != Missing)
        {
            var t = ps[^1];
            if (m.IsVariadic && numIn - 1 < numFixed)
            {
                t = ps[numIn - 1];
            }
            argv[i] = ValidateType(s, final, t);
        }
        object? r;
        try
        {
            r = m.Invoke(receiver, argv);
        }
        catch (TemplateExecutionException)
        {
            throw;
        }
        catch (BudgetExceededException e)
        {
            s.At = node;
            throw s.LimitError(e.Kind, e.Message);
        }
        catch (Exception e)
        {
            s.At = node;
            throw s.Error($"error calling {name}: {e.Message}");
        }
        if (!s.Charge(r))
        {
            s.At = node;
            throw s.MemoryExceeded();
        }
        return r is null ? GoNil.Instance : GoValues.Normalize(r);
    }

    private delegate object?[] ArgsFn(ExecState s, object? dot, object? final);

    /// <summary>Checks arity and compiles argument evaluation for a call of a named function (Go's evalCall up to the call).</summary>
    private (TemplateFunction? Fn, ArgsFn? Args, CmdFn? Failure) CompileCallArgs(IdentifierNode id, List<Node>? args, bool hasFinal)
    {
        string name = id.Ident;
        if (!_functions.TryGet(name, out var fn))
        {
            return (null, null, Fail(id, $"{GoStrings.Quote(name)} is not a defined function"));
        }
        var argNodes = args is null ? [] : args.Skip(1).ToList();
        int numIn = argNodes.Count + (hasFinal ? 1 : 0);
        var ps = fn.Parameters;
        int numFixed = argNodes.Count;
        if (fn.IsVariadic)
        {
            numFixed = ps.Count - 1;
            if (numIn < numFixed)
            {
                return (fn, null, Fail(id, $"wrong number of args for {name}: want at least {ps.Count - 1} got {argNodes.Count}"));
            }
        }
        else if (numIn != ps.Count)
        {
            return (fn, null, Fail(id, $"wrong number of args for {name}: want {ps.Count} got {numIn}"));
        }
        if (fn.Special is "and" or "or")
        {
            return (fn, null, null);
        }
        var argFns = new EvalFn[argNodes.Count];
        for (int i = 0; i < argFns.Length; i++)
        {
            var t = i < numFixed ? ps[i] : ps[^1];
            argFns[i] = CompileArg(argNodes[i], t);
        }
        TemplateParameterType finalType = ps.Count > 0 ? ps[^1] : TemplateParameterType.Any;
        if (hasFinal && fn.IsVariadic && numIn - 1 < numFixed)
        {
            finalType = ps[numIn - 1];
        }
        bool pool = fn.PoolArguments;
        ArgsFn argsFn = (s, dot, final) =>
        {
            var argv = pool ? s.RentArgs(numIn) : new object?[numIn];
            for (int i = 0; i < argFns.Length; i++)
            {
                argv[i] = argFns[i](s, dot);
            }
            if (final != Missing)
            {
                argv[numIn - 1] = ValidateType(s, final, finalType);
            }
            return argv;
        };
        return (fn, argsFn, null);
    }

    private CmdFn CompileFunction(IdentifierNode id, Node callNode, List<Node>? args, bool hasFinal)
    {
        var (fn, argsFn, failure) = CompileCallArgs(id, args, hasFinal);
        if (failure is not null)
        {
            return failure;
        }
        string name = id.Ident;
        if (fn!.Special is "and" or "or")
        {
            bool isOr = fn.Special == "or";
            var argNodes = args is null ? [] : args.Skip(1).ToList();
            var fns = argNodes.Select(a => CompileArg(a, TemplateParameterType.Value)).ToArray();
            return (s, dot, final) =>
            {
                s.At = id;
                object? v = null;
                foreach (var f in fns)
                {
                    v = f(s, dot);
                    if (GoValues.IsTrue(v) == isOr)
                    {
                        return v;
                    }
                }
                if (final != Missing)
                {
                    v = final;
                }
                return v;
            };
        }
        var invoke = fn.Invoke;
        bool pool = fn.PoolArguments;
        return (s, dot, final) =>
        {
            s.At = id;
            var argv = argsFn!(s, dot, final);
            s.Tick();
            object? r;
            try
            {
                r = invoke(argv);
            }
            catch (TemplateExecutionException)
            {
                throw;
            }
            catch (BudgetExceededException e)
            {
                s.At = callNode;
                throw s.LimitError(e.Kind, e.Message);
            }
            catch (Exception e)
            {
                s.At = callNode;
                throw s.Error($"error calling {name}: {e.Message}");
            }
            if (pool)
            {
                s.ReturnArgs(argv);
            }
            if (!s.Charge(r))
            {
                s.At = callNode;
                throw s.MemoryExceeded();
            }
            return r is null ? GoNil.Instance : GoValues.Normalize(r);
        };
    }

    /// <summary>
    /// An action whose pipeline ends in print/printf/println: the text goes straight to the output
    /// instead of through an intermediate string (same bytes; Go would Fprint that string).
    /// </summary>
    private ExecFn? TryCompileDirectPrint(ActionNode a)
    {
        var p = a.Pipe;
        if (p.Decl.Count > 0 || p.Cmds[^1].Args[0] is not IdentifierNode id
            || !_functions.TryGet(id.Ident, out var fn) || fn.Special is not ("print" or "printf" or "println"))
        {
            return null;
        }
        return BuildDirectPrint(a, id, fn.Special);
    }

    // Separate from the checks above so the closure state is only allocated for actions that print.
    private ExecFn? BuildDirectPrint(ActionNode a, IdentifierNode id, string special)
    {
        var p = a.Pipe;
        var cmds = new CmdFn[p.Cmds.Count - 1];
        for (int i = 0; i < cmds.Length; i++)
        {
            cmds[i] = CompileCommand(p.Cmds[i], hasFinal: i > 0);
        }
        var (_, argsFn, failure) = CompileCallArgs(id, p.Cmds[^1].Args, hasFinal: cmds.Length > 0);
        if (failure is not null)
        {
            return null;
        }
        return (s, dot) =>
        {
            s.At = a;
            s.At = p;
            object? v = Missing;
            foreach (var cmd in cmds)
            {
                v = cmd(s, dot, v);
                if (v is GoNil)
                {
                    v = null;
                }
            }
            s.At = id;
            var argv = argsFn!(s, dot, v);
            s.At = a;
            s.Tick();
            var printer = GoPrinter.Rent();
            switch (special)
            {
                case "printf":
                    printer.DoPrintf((string)argv[0]!, argv.AsSpan(1));
                    break;
                case "print":
                    printer.DoPrint(argv);
                    break;
                default:
                    printer.DoPrintln(argv);
                    break;
            }
            foreach (var chunk in printer.Buffer.GetChunks())
            {
                s.Out.Write(chunk.Span);
            }
            printer.Return();
            s.ReturnArgs(argv);
            return Flow.Normal;
        };
    }
}
