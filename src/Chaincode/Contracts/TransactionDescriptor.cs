using System.Reflection;

namespace ZonCoin.Chaincode.Contracts;

/// <summary>A transaction method found on a contract, with how to call it.</summary>
internal sealed class TransactionDescriptor
{
    private TransactionDescriptor(MethodInfo method, string name, bool submit, IReadOnlyList<ParameterInfo> arguments, Type? resultType)
    {
        Method = method;
        Name = name;
        Submit = submit;
        Arguments = arguments;
        ResultType = resultType;
    }

    public MethodInfo Method { get; }

    public string Name { get; }

    public bool Submit { get; }

    /// <summary>The parameters filled from proposal arguments (the Context and CancellationToken ones excluded).</summary>
    public IReadOnlyList<ParameterInfo> Arguments { get; }

    /// <summary>What the method produces after unwrapping Task/ValueTask; null for none.</summary>
    public Type? ResultType { get; }

    /// <summary>Every transaction of a contract type, keyed by name.</summary>
    public static IReadOnlyDictionary<string, TransactionDescriptor> Discover(Type contractType)
    {
        var transactions = new Dictionary<string, TransactionDescriptor>(StringComparer.Ordinal);
        foreach (var method in contractType.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.IsSpecialName || method.IsGenericMethodDefinition
                || method.DeclaringType == typeof(object) || method.GetBaseDefinition().DeclaringType == typeof(Contract) || method.DeclaringType == typeof(Contract)
                || method.IsDefined(typeof(NonTransactionAttribute), inherit: true))
            {
                continue;
            }
            var attribute = method.GetCustomAttribute<TransactionAttribute>(inherit: true);
            var name = attribute?.Name ?? method.Name;
            var descriptor = new TransactionDescriptor(method, name, attribute?.Submit ?? true,
                [.. method.GetParameters().Where(p => p.ParameterType != typeof(Context) && p.ParameterType != typeof(CancellationToken))],
                Unwrap(method.ReturnType));
            if (!transactions.TryAdd(name, descriptor))
            {
                throw new InvalidOperationException($"contract {contractType.Name} has two transactions named '{name}'; overloads are not supported");
            }
        }
        return transactions;
    }

    /// <summary>Calls the method and awaits its result.</summary>
    public async Task<object?> InvokeAsync(Contract contract, Context context, IReadOnlyList<ReadOnlyMemory<byte>> args)
    {
        if (args.Count != Arguments.Count)
        {
            throw new ArgumentException($"Expected {Arguments.Count} parameters, but {args.Count} have been supplied");
        }
        var parameters = Method.GetParameters();
        var values = new object?[parameters.Length];
        var next = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            values[i] = type == typeof(Context) ? context
                : type == typeof(CancellationToken) ? context.CancellationToken
                : ContractSerializer.FromArgument(args[next++], type, parameters[i].Name ?? $"#{i}");
        }
        var result = Method.Invoke(contract, BindingFlags.DoNotWrapExceptions, binder: null, values, culture: null);
        switch (result)
        {
            case Task task:
                await task.ConfigureAwait(false);
                return ResultType is null ? null : task.GetType().GetProperty("Result")!.GetValue(task);
            case ValueTask valueTask:
                await valueTask.ConfigureAwait(false);
                return null;
            default:
                if (result is not null && Method.ReturnType.IsGenericType && Method.ReturnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
                {
                    var asTask = (Task)Method.ReturnType.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!;
                    await asTask.ConfigureAwait(false);
                    return asTask.GetType().GetProperty("Result")!.GetValue(asTask);
                }
                return result;
        }
    }

    private static Type? Unwrap(Type type)
    {
        if (type == typeof(void) || type == typeof(Task) || type == typeof(ValueTask))
        {
            return null;
        }
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return type.GetGenericArguments()[0];
        }
        return type;
    }
}
