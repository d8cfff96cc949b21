(* Valid: commutativity of addition on nat, by induction. *)
Lemma add_n_O : forall n : nat, n = n + 0.
Proof. induction n as [| n IH]; simpl; [reflexivity | rewrite <- IH; reflexivity]. Qed.

Lemma add_n_S : forall n m : nat, S (n + m) = n + S m.
Proof. induction n as [| n IH]; intros m; simpl; [reflexivity | rewrite IH; reflexivity]. Qed.

Theorem add_comm : forall n m : nat, n + m = m + n.
Proof.
  induction n as [| n IH]; intros m; simpl.
  - apply add_n_O.
  - rewrite IH. apply add_n_S.
Qed.
